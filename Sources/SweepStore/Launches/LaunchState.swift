/// The states of a launch (API.md) and which of them are final.
public enum LaunchState {
    public static let all: Set<String> = ["waiting", "running", "succeeded", "failed", "cancelled"]
    public static let terminal: Set<String> = ["succeeded", "failed", "cancelled"]
}
