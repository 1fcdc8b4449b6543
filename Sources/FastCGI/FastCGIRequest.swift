import CFastCGI
import Glibc
import Web

/// Owns one heap-allocated `FCGX_Request`. Not Sendable while it sits on its accept thread; once a streaming
/// response takes it over (see `FastCGIStreamSink`) only that sink touches it.
final class FastCGIRequest {
    let handle: UnsafeMutablePointer<FCGX_Request>
    private var active = false

    init(listenSocket: Int32) {
        handle = .allocate(capacity: 1)
        // libfcgi: FCGX_InitRequest zeroes the struct and binds it to the listening socket.
        FCGX_InitRequest(handle, listenSocket, 0)
    }

    deinit {
        finish()
        // libfcgi: FCGX_Free releases the params and streams; close=1 also closes the connection to nginx.
        FCGX_Free(handle, 1)
        handle.deallocate()
    }

    /// Blocks until nginx sends a request; false when the listening socket was shut down.
    func accept() -> Bool {
        let ok = FCGX_Accept_r(handle) >= 0
        active = ok
        return ok
    }

    /// Ends the response: flushes and tells nginx the request is complete.
    func finish() {
        guard active else { return }
        active = false
        FCGX_Finish_r(handle)
    }

    func param(_ name: String) -> String? {
        guard let value = FCGX_GetParam(name, handle.pointee.envp) else { return nil }
        return String(cString: value)
    }

    /// A parameter's raw bytes (nginx passes the request line and headers as the client sent them).
    func rawParam(_ name: String) -> [UInt8]? {
        guard let value = FCGX_GetParam(name, handle.pointee.envp) else { return nil }
        return Array(UnsafeBufferPointer(start: UnsafeRawPointer(value).assumingMemoryBound(to: UInt8.self), count: strlen(value)))
    }

    /// Every CGI parameter; `HTTP_X_REQUESTED_WITH` becomes header `x-requested-with`. Throws 400 for a header that is
    /// not UTF-8 (`EdgeCheck`).
    func headers() throws(APIError) -> [String: String] {
        var headers: [String: String] = [:]
        guard var cursor = handle.pointee.envp else { return headers }
        while let entry = cursor.pointee {
            let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(entry).assumingMemoryBound(to: UInt8.self), count: strlen(entry))
            if let equals = bytes.firstIndex(of: UInt8(ascii: "=")) {
                let name = String(decoding: bytes[..<equals], as: UTF8.self)
                let value = bytes[(equals + 1)...]
                if name.hasPrefix("HTTP_") {
                    let header = String(name.dropFirst(5).lowercased().map { $0 == "_" ? "-" : $0 })
                    headers[header] = try EdgeCheck.header(name: header, bytes: value)
                } else if name == "CONTENT_TYPE" {
                    headers["content-type"] = try EdgeCheck.header(name: "content-type", bytes: value)
                } else if name == "CONTENT_LENGTH" {
                    headers["content-length"] = String(decoding: value, as: UTF8.self)
                }
            }
            cursor += 1
        }
        return headers
    }

    /// Reads exactly `length` body bytes (nginx has already buffered them).
    func readBody(length: Int) -> [UInt8] {
        guard length > 0 else { return [] }
        var body = [UInt8](repeating: 0, count: length)
        var read = 0
        body.withUnsafeMutableBufferPointer { buffer in
            let base = UnsafeMutableRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self)
            while read < length {
                let n = FCGX_GetStr(base + read, Int32(length - read), handle.pointee.in)
                if n <= 0 { break }
                read += Int(n)
            }
        }
        return Array(body[0..<read])
    }

    @discardableResult
    func write(_ bytes: [UInt8]) -> Bool {
        guard !bytes.isEmpty else { return true }
        return bytes.withUnsafeBufferPointer { buffer in
            let base = UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self)
            return FCGX_PutStr(base, Int32(buffer.count), handle.pointee.out) == Int32(buffer.count)
        }
    }

    @discardableResult
    func write(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return true }
        return FCGX_PutStr(base.assumingMemoryBound(to: CChar.self), Int32(bytes.count), handle.pointee.out) == Int32(bytes.count)
    }

    /// libfcgi: PutStr only buffers; a vanished client shows up as -1 from FFlush (EPIPE).
    func flush() -> Bool { FCGX_FFlush(handle.pointee.out) == 0 }

    /// The socket to nginx, for poll().
    var connectionFD: Int32 { handle.pointee.ipcFd }
}

