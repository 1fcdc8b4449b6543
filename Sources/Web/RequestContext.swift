import Logging

/// Per-request facts that are not part of the HTTP message: the request id and a logger carrying it.
public struct RequestContext: Sendable {
    public var requestID: String
    public var logger: Logger
    /// The client address as the transport saw it (nginx's REMOTE_ADDR).
    public var remoteAddress: String

    public init(requestID: String, logger: Logger, remoteAddress: String = "") {
        self.requestID = requestID
        self.logger = logger
        self.remoteAddress = remoteAddress
    }
}
