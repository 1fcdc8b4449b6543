import HTTPClient

/// Blobs as objects of an S3-compatible bucket (AWS S3, MinIO, moto), addressed path-style
/// (`ENDPOINT/BUCKET/USER/ID`) and signed by libcurl itself (`CURLOPT_AWS_SIGV4`). Uploads stream through
/// libcurl's read callback with a known Content-Length; downloads stream through its write callback.
///
/// libcurl handles are not Sendable, so each call uses its own `HTTPClient` (a fresh connection per call: blob
/// transfers are large, so the handshake is small beside them).
public struct S3BlobStore: BlobStore {
    public let location: S3Location
    let credentials: AWSSigV4
    /// Bounds connecting, and a whole small request (HEAD, DELETE).
    let requestTimeout: Duration
    /// Bounds a whole upload or download, which moves at the client's pace.
    let transferTimeout: Duration

    public init(location: S3Location, accessKeyID: String, secretAccessKey: String,
                requestTimeout: Duration = .seconds(30), transferTimeout: Duration = .seconds(6 * 3600)) {
        self.location = location
        credentials = AWSSigV4(region: location.region, accessKeyID: accessKeyID, secretAccessKey: secretAccessKey)
        self.requestTimeout = requestTimeout
        self.transferTimeout = transferTimeout
    }

    public var name: String { "s3://\(location.bucket)" }

    public func put(_ key: BlobKey, length: Int64, from read: (UnsafeMutableRawBufferPointer) throws -> Int) throws {
        var sourceError: (any Error)?
        var received: Int64 = 0
        let response = try HTTPClient(maxBodyBytes: 64 << 10).upload(request(.put, key, timeout: transferTimeout), length: length) { buffer in
            do {
                let room = Int(min(Int64(buffer.count), length - received))
                guard room > 0 else { return 0 }
                let n = try read(UnsafeMutableRawBufferPointer(rebasing: buffer[0..<room]))
                // libcurl would send a short body and S3 would wait for the rest: stop instead.
                guard n > 0 else {
                    sourceError = BlobError.shortBody(expected: length, received: received)
                    return nil
                }
                received += Int64(n)
                return n
            } catch {
                sourceError = error
                return nil
            }
        }
        if let sourceError { throw sourceError }
        guard (200..<300).contains(response.status) else { throw failure("PUT", key, response) }
    }

    public func get(_ key: BlobKey, into write: (UnsafeRawBufferPointer) throws -> Bool) throws {
        var sinkError: (any Error)?
        let response = try HTTPClient(maxBodyBytes: 64 << 10).stream(request(.get, key, timeout: requestTimeout), idleTimeout: requestTimeout) { chunk in
            do {
                return try chunk.withUnsafeBytes { try write($0) }
            } catch {
                sinkError = error
                return false
            }
        }
        if let sinkError { throw sinkError }
        if response.status == 404 { throw BlobError.notFound(key) }
        guard (200..<300).contains(response.status) else { throw failure("GET", key, response) }
    }

    public func delete(_ key: BlobKey) throws {
        let response = try HTTPClient(maxBodyBytes: 64 << 10).send(request(.delete, key, timeout: requestTimeout))
        guard (200..<300).contains(response.status) || response.status == 404 else { throw failure("DELETE", key, response) }
    }

    public func stat(_ key: BlobKey) throws -> Int64? {
        let response = try HTTPClient(maxBodyBytes: 0).send(request(.head, key, timeout: requestTimeout))
        if response.status == 404 { return nil }
        guard (200..<300).contains(response.status) else { throw failure("HEAD", key, response) }
        return response.header("Content-Length").flatMap { Int64($0) }
    }

    private func request(_ method: HTTPMethod, _ key: BlobKey, timeout: Duration) -> HTTPRequest {
        var request = HTTPRequest(method: method, url: location.objectURL(key.path), timeout: timeout)
        request.awsSigV4 = credentials
        return request
    }

    private func failure(_ verb: String, _ key: BlobKey, _ response: HTTPResponse) -> BlobError {
        // S3 explains errors in a short XML document; its <Code> is enough for a log line.
        let text = response.bodyText
        let code = text.range(of: "<Code>").flatMap { start in
            text.range(of: "</Code>", range: start.upperBound..<text.endIndex).map { String(text[start.upperBound..<$0.lowerBound]) }
        }
        return .backend("\(verb) \(key) answered HTTP \(response.status)\(code.map { " \($0)" } ?? "")")
    }
}
