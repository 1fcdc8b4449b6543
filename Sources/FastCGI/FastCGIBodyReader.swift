import BlockingCalls
import CFastCGI
import Web

/// A request body read from FastCGI in pieces (`FCGX_GetStr` loop) for routes that stream their bodies.
/// `@unchecked Sendable`: only the accept thread serving the request touches it, while that request lasts.
final class FastCGIBodyReader: RequestBodyStream, @unchecked Sendable {
    private let request: FastCGIRequest
    let declaredLength: Int?
    private var remaining: Int

    init(_ request: FastCGIRequest, declaredLength: Int?) {
        self.request = request
        self.declaredLength = declaredLength
        // Without a length, read to the end of the FastCGI stdin stream.
        remaining = declaredLength ?? Int.max
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        guard remaining > 0, let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        let wanted = Int32(min(buffer.count, remaining, Int(Int32.max)))
        // libfcgi: FCGX_GetStr blocks until n bytes arrived or the stream ended, and returns the count read.
        // Blocking: nginx streams these bodies as the client sends them.
        let n = BlockingCall.around { FCGX_GetStr(base.assumingMemoryBound(to: CChar.self), wanted, request.handle.pointee.in) }
        guard n > 0 else {
            remaining = 0
            return 0
        }
        remaining -= Int(n)
        return Int(n)
    }

    /// Reads and drops what the handler left unread: nginx (with request buffering off) is still sending it, and
    /// closing before it is consumed can turn the answer already written into a 502.
    func drain() {
        var scratch = [UInt8](repeating: 0, count: 64 << 10)
        while scratch.withUnsafeMutableBytes({ read(into: $0) }) > 0 {}
    }
}
