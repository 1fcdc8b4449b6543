/// Why a run's output file was refused. The API and the collecting sandbox report each case.
public enum RunFileError: Error, CustomStringConvertible {
    case storageLimitExceeded(limit: Int64, used: Int64, requested: Int64)
    /// More than `RunFileLibrary.maxFilesPerRun` files for one run.
    case tooManyFiles(limit: Int)
    /// The name is not a single safe file name (`ArtifactName`).
    case invalidName(String)

    public var description: String {
        switch self {
        case .storageLimitExceeded(let limit, let used, let requested):
            "storing \(requested) bytes would exceed the stored-bytes limit of \(limit) (\(used) in use)"
        case .tooManyFiles(let limit): "a run keeps at most \(limit) output files"
        case .invalidName(let problem): problem
        }
    }
}
