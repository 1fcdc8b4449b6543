/// Why an artifact operation was refused. The API maps each case to its answer.
public enum ArtifactError: Error, CustomStringConvertible {
    /// Storing `requested` more bytes would take the user past `limit` (they hold `used`).
    case storageLimitExceeded(limit: Int64, used: Int64, requested: Int64)
    /// The client announced a SHA-256 the body does not have; nothing was stored.
    case digestMismatch(expected: String, actual: String)

    public var description: String {
        switch self {
        case .storageLimitExceeded(let limit, let used, let requested):
            "storing \(requested) bytes would exceed the stored-bytes limit of \(limit) (\(used) in use)"
        case .digestMismatch(let expected, let actual):
            "the body's SHA-256 is \(actual), not the announced \(expected)"
        }
    }
}
