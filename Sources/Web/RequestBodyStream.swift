/// A request body read piece by piece instead of buffered whole (artifact uploads of any size). The transport
/// provides one only for routes it was told stream their bodies; `Request.body` is then empty.
/// Implementations are used by the one thread that serves the request.
public protocol RequestBodyStream: AnyObject, Sendable {
    /// The declared length (`Content-Length`), if the client sent one.
    var declaredLength: Int? { get }
    /// Reads up to `buffer.count` bytes; 0 at the end of the body (or when the client went away early).
    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int
}

/// A response body written piece by piece after the headers (artifact downloads of any size), on the request's
/// thread. The handler sets `Content-Length` itself.
public protocol ResponseBodyProducer: Sendable {
    /// Calls `emit` with each piece in order until done; `emit` returns false once the client is gone, and the
    /// producer should then stop. A throw after the headers went out can only cut the response short.
    func produce(_ emit: (UnsafeRawBufferPointer) -> Bool) throws
}
