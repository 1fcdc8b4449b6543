/// NOTIFY channel of authentication changes (migration 0010's triggers): the payload is the id of a user whose
/// keys were revoked or deleted, or who was deleted or changed.
public enum AuthChannels {
    public static let changed = "sweep_auth"
}
