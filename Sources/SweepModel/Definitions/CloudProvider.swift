/// Where a destination runs tasks. `local` and `http` are Sweep's own kinds; `AWS` and `Azure` are SWEEP's and are
/// stored as SWEEP defines them.
public enum CloudProvider: String, Sendable, Hashable, CaseIterable {
    case local
    case http
    case aws = "AWS"
    case azure = "Azure"
}
