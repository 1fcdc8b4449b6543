/// A user is at one of their limits (`UserLimits`): the API answers 429 `limit_exceeded` naming it.
public struct LimitExceeded: Error, Sendable, CustomStringConvertible {
    public var field: UserLimits.Field
    public var limit: Int64
    public var message: String

    public init(_ field: UserLimits.Field, limit: Int64, _ message: String) {
        self.field = field
        self.limit = limit
        self.message = message
    }

    public var description: String { "limit_exceeded (\(field.rawValue) = \(limit)): \(message)" }
}
