import SweepStore

/// The authenticated caller. Handlers of tenant data take one; only `Authenticator` makes one, so a route cannot
/// reach tenant data without authentication having run.
public struct Tenant: Sendable {
    public let user: User
    public var userID: UserID { user.id }
    public var isAdmin: Bool { user.isAdmin }

    /// Internal on purpose: `Authenticator.authenticate` is the only caller.
    init(authenticated user: User) {
        self.user = user
    }
}
