/// The states of a task run (API.md, with v1.1's `skipped`), for checking a `state` filter.
public enum RunState {
    public static let all: Set<String> = ["pending", "scheduled", "running", "succeeded", "failed", "upstream_failed", "cancelled", "skipped"]
}
