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

    /// Reads the next request on `connection`, a socket from `ConnectionPoller`. False when there is none (nginx
    /// closed the connection, or sent garbage); libfcgi has then closed the socket.
    func read(from connection: Int32) -> Bool {
        // libfcgi: FCGX_Accept_r first finishes the previous request, closing ipcFd unless keepConnection is set,
        // and accepts on listen_sock only while ipcFd < 0. With the connection already open and kept, it reads
        // the request from it; with listen_sock -1, the accept it would try after a dead connection fails at once
        // instead of stealing a connection from the poller.
        handle.pointee.ipcFd = connection
        handle.pointee.keepConnection = 1
        handle.pointee.listen_sock = -1
        let ok = FCGX_Accept_r(handle) >= 0
        active = ok
        if !ok { handle.pointee.ipcFd = -1 }
        return ok
    }

    /// Ends the response; the connection if nginx asked to keep it (FCGI_KEEP_CONN), which this request then lets
    /// go of, else nil (libfcgi closed it).
    func finishKeepingConnection() -> Int32? {
        if active, handle.pointee.keepConnection != 0 {
            // The connection carries the next request after this one's end of stdin (an empty FCGI_STDIN record);
            // read up to it so the next read starts at the next FCGI_BEGIN_REQUEST. All of it, however large a
            // body the handler left unread: closing instead (as a 1 MiB cap once did) comes right after our
            // END_REQUEST, when nginx already counts the connection as free and may have sent the next request
            // on it ("upstream prematurely closed connection", and nginx retries no POST).
            withUnsafeTemporaryAllocation(of: CChar.self, capacity: 8192) { scratch in
                while FCGX_GetStr(scratch.baseAddress!, Int32(scratch.count), handle.pointee.in) > 0 {}
            }
        }
        finish()
        let fd = handle.pointee.ipcFd
        guard fd >= 0 else { return nil }
        handle.pointee.ipcFd = -1
        return fd
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
    /// not UTF-8 or holds NUL (`EdgeCheck`). Works on the bytes of the C strings: Character-based String work here
    /// was the largest cost of a small request in the profile.
    func headers() throws(APIError) -> [String: String] {
        var headers: [String: String] = [:]
        // Room for a browser's dozen headers without regrowing (the resize was 1.3% of a `/me`).
        headers.reserveCapacity(16)
        guard var cursor = handle.pointee.envp else { return headers }
        while let entry = cursor.pointee {
            cursor += 1
            let length = strlen(entry)
            let bytes = UnsafeRawBufferPointer(start: entry, count: length).bindMemory(to: UInt8.self)
            guard let equals = bytes.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let name = UnsafeBufferPointer(rebasing: bytes[..<equals])
            let value = UnsafeBufferPointer(rebasing: bytes[(equals + 1)...])
            if name.starts(with: Self.httpPrefix) {
                var key = [UInt8]()
                key.reserveCapacity(name.count - 5)
                for byte in name.dropFirst(5) {
                    key.append(byte == UInt8(ascii: "_") ? UInt8(ascii: "-") : (byte >= 65 && byte <= 90 ? byte + 32 : byte))
                }
                let header = String(decoding: key, as: UTF8.self)
                headers[header] = try EdgeCheck.header(name: header, bytes: value)
            } else if name.elementsEqual(Self.contentType) {
                headers["content-type"] = try EdgeCheck.header(name: "content-type", bytes: value)
            } else if name.elementsEqual(Self.contentLength) {
                headers["content-length"] = String(decoding: value, as: UTF8.self)
            }
        }
        return headers
    }

    private static let httpPrefix = Array("HTTP_".utf8)
    private static let contentType = Array("CONTENT_TYPE".utf8)
    private static let contentLength = Array("CONTENT_LENGTH".utf8)

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

