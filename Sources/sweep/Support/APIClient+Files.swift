import Foundation
import HTTPClient
import SweepCrypto
import SweepJSON

/// Streamed transfers of file bodies: the file goes out through libcurl's read callback and comes back through its
/// write callback, so a large artifact is never in the CLI's memory whole.
extension APIClient {
    /// PUTs `length` bytes from the open file `fd` to `segments`; returns the JSON answer (any error status throws).
    func upload(_ segments: [String], fd: Int32, length: Int64, headers more: [(name: String, value: String)]) throws(CLIError) -> JSONValue? {
        let request = HTTPRequest(method: .put, url: url(segments),
                                  headers: headers + more + [("Content-Type", "application/octet-stream")],
                                  timeout: .seconds(6 * 3600))
        let response: HTTPResponse
        do {
            response = try uploadClient.upload(request, length: length) { buffer in
                let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
                return n < 0 ? nil : n
            }
        } catch {
            throw CLIError(transport: error, url: baseURL)
        }
        return try APIClient.decode(response)
    }

    /// GETs `segments` and hands the 2xx body to `write` piece by piece; returns the response (status, headers).
    func download(_ segments: [String], write: ([UInt8]) -> Bool) throws(CLIError) -> HTTPResponse {
        let request = HTTPRequest(method: .get, url: url(segments), headers: headers, timeout: .seconds(30))
        let response: HTTPResponse
        do {
            response = try uploadClient.stream(request, idleTimeout: .seconds(120), onChunk: write)
        } catch {
            throw CLIError(transport: error, url: baseURL)
        }
        guard (200..<300).contains(response.status) else { throw CLIError(response: response) }
        return response
    }

    /// The SHA-256 of a file, read in 1 MiB pieces.
    static func sha256(ofFile path: String) throws(CLIError) -> (hex: String, length: Int64) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CLIError.usage("cannot read \(path)") }
        defer { close(fd) }
        let hasher = SHA256Hasher()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var length: Int64 = 0
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            guard n >= 0 else { throw CLIError.usage("cannot read \(path)") }
            if n == 0 { break }
            buffer.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            length += Int64(n)
        }
        return (hasher.finalizeHex(), length)
    }
}
