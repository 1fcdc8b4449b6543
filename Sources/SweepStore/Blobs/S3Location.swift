/// Where an S3-compatible store is: `s3://BUCKET?endpoint=http://127.0.0.1:9000&region=us-east-1`
/// (`SWEEP_BLOB_STORE`). Without `endpoint`, AWS's regional endpoint; without `region`, `us-east-1`.
public struct S3Location: Sendable, Equatable {
    public static let defaultRegion = "us-east-1"

    public let bucket: String
    /// Scheme, host and port, no trailing slash.
    public let endpoint: String
    public let region: String

    /// Parses the `s3://` form; the message says what is wrong.
    public init(url text: String) throws(BlobStoreConfigurationError) {
        guard text.hasPrefix("s3://") else { throw .init("SWEEP_BLOB_STORE must be 'postgres' or s3://BUCKET?endpoint=…&region=…") }
        let rest = text.dropFirst("s3://".count)
        let bucketPart = rest.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let bucket = String(bucketPart[0])
        // S3 bucket names: 3-63 of lowercase letters, digits, '.', '-' (so they are safe in a URL path as is).
        guard (3...63).contains(bucket.count), bucket.utf8.allSatisfy({ ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 46 || $0 == 45 }) else {
            throw .init("the S3 bucket name '\(bucket)' must be 3-63 lowercase letters, digits, '.' or '-'")
        }
        var query: [String: String] = [:]
        if bucketPart.count == 2 {
            for pair in bucketPart[1].split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard parts.count == 2, let value = Self.percentDecode(String(parts[1])) else {
                    throw .init("cannot read '\(pair)' in SWEEP_BLOB_STORE")
                }
                query[String(parts[0])] = value
            }
        }
        let unknown = Set(query.keys).subtracting(["endpoint", "region"])
        guard unknown.isEmpty else { throw .init("unknown SWEEP_BLOB_STORE parameter(s): \(unknown.sorted().joined(separator: ", "))") }
        region = query["region"] ?? Self.defaultRegion
        var endpoint = query["endpoint"] ?? "https://s3.\(region).amazonaws.com"
        while endpoint.hasSuffix("/") { endpoint.removeLast() }
        guard endpoint.hasPrefix("http://") || endpoint.hasPrefix("https://") else {
            throw .init("the S3 endpoint must be an http:// or https:// URL")
        }
        self.bucket = bucket
        self.endpoint = endpoint
    }

    /// Path-style URL of an object; keys are `USER/HEXID`, which need no escaping.
    func objectURL(_ key: String) -> String { "\(endpoint)/\(bucket)/\(key)" }

    static func percentDecode(_ text: String) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next(), let low = iterator.next(),
                      let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) else { return nil }
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
