import Foundation
import HTTPClient
import Testing

/// Streamed uploads (libcurl's read callback) and AWS SigV4 signing (libcurl's CURLOPT_AWS_SIGV4), which the S3
/// blob store relies on.
@Suite(.serialized) final class StreamedUploadTests {
    let server: EchoServer

    init() throws {
        HTTPClient.globalInit()
        server = try EchoServer()
    }

    deinit { server.stop() }

    @Test func anUploadSendsExactlyWhatTheReadCallbackSuppliesInPieces() throws {
        let text = Array(String(repeating: "0123456789abcdef", count: 40_000).utf8)  // 640 kB, ASCII for the echo
        var offset = 0
        var calls = 0
        let response = try HTTPClient().upload(HTTPRequest(method: .put, url: server.baseURL + "/echo"), length: Int64(text.count)) { buffer in
            calls += 1
            let n = min(buffer.count, 10_000, text.count - offset)
            text.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[offset..<offset + n])) }
            offset += n
            return n
        }
        let json = try echoed(response.body)
        #expect(json["method"] as? String == "PUT")
        #expect(json["body_length"] as? Int == text.count)
        #expect((json["body"] as? String).map { Array($0.utf8) } == text)
        #expect(calls >= text.count / 10_000)
        let headers = json["headers"] as? [String: String] ?? [:]
        #expect(headers["content-length"] == String(text.count))
        #expect(headers["transfer-encoding"] == nil)
    }

    @Test func aReadCallbackThatAbortsFailsTheTransfer() throws {
        #expect(throws: HTTPClientError.self) {
            _ = try HTTPClient().upload(HTTPRequest(method: .put, url: server.baseURL + "/echo"), length: 100) { _ in nil }
        }
    }

    @Test func sigV4SignsWithTheKeyAndAnUnsignedPayloadForStreamedBodies() throws {
        var request = HTTPRequest(method: .put, url: server.baseURL + "/echo/bucket/1/abc")
        request.awsSigV4 = AWSSigV4(region: "eu-west-3", accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret-never-sent")
        var sent = false
        let response = try HTTPClient().upload(request, length: 5) { buffer in
            guard !sent else { return 0 }
            sent = true
            buffer.copyBytes(from: Array("hello".utf8))
            return 5
        }
        let headers = try echoed(response.body)["headers"] as? [String: String] ?? [:]
        let authorization = headers["authorization"] ?? ""
        #expect(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"))
        #expect(authorization.contains("/eu-west-3/s3/aws4_request"))
        #expect(authorization.contains("Signature="))
        #expect(!authorization.contains("secret-never-sent"))
        #expect(headers["x-amz-content-sha256"] == "UNSIGNED-PAYLOAD")
        // libcurl signs the header it was given (SignedHeaders names it), so S3 can check it.
        #expect(authorization.contains("x-amz-content-sha256"))
        #expect(headers["x-amz-date"] != nil)
        #expect(!"\(request.awsSigV4!)".contains("secret-never-sent"))
    }
}
