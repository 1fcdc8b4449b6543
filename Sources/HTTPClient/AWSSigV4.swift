/// What libcurl needs to sign a request with AWS Signature Version 4: the provider string
/// (`aws:amz:REGION:SERVICE`) and the key pair. The description never shows the secret.
public struct AWSSigV4: Sendable, CustomStringConvertible {
    public var region: String
    public var service: String
    public var accessKeyID: String
    public var secretAccessKey: String

    public init(region: String, service: String = "s3", accessKeyID: String, secretAccessKey: String) {
        self.region = region
        self.service = service
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
    }

    /// libcurl: "provider1[:provider2[:region[:service]]]". For `s3`, EasyHandle adds
    /// `x-amz-content-sha256: UNSIGNED-PAYLOAD`, which libcurl then signs with.
    var provider: String { "aws:amz:\(region):\(service)" }

    public var description: String { "AWSSigV4(\(provider), key \(accessKeyID), secret ****)" }
}
