/// What a blob store reports.
public enum BlobError: Error, CustomStringConvertible {
    case notFound(BlobKey)
    /// The source ended before the promised length (a client that hung up mid-upload).
    case shortBody(expected: Int64, received: Int64)
    /// The backend failed (S3 answered an error, the endpoint was unreachable).
    case backend(String)
    /// The upload outlived `UnfinishedUploadSweeper`'s grace period, which took its blob for a crash's leftover.
    case sweptWhileUploading

    public var description: String {
        switch self {
        case .notFound(let key): "blob \(key) not found"
        case .shortBody(let expected, let received): "the body ended after \(received) of \(expected) bytes"
        case .backend(let message): "blob store: \(message)"
        case .sweptWhileUploading: "the upload took longer than the grace period for unfinished uploads; nothing was stored"
        }
    }
}
