import SweepStore
import Testing

@Suite struct S3LocationTests {
    @Test func theFullFormNamesBucketEndpointAndRegion() throws {
        let location = try S3Location(url: "s3://sweep-artifacts?endpoint=http%3A%2F%2F127.0.0.1%3A9000/&region=eu-west-3")
        #expect(location.bucket == "sweep-artifacts")
        #expect(location.endpoint == "http://127.0.0.1:9000")
        #expect(location.region == "eu-west-3")
        // An unencoded endpoint works too (':' and '/' are allowed in a query).
        #expect(try S3Location(url: "s3://bkt?endpoint=http://127.0.0.1:9000").endpoint == "http://127.0.0.1:9000")
    }

    @Test func defaultsAreAWSAndUsEast1() throws {
        let location = try S3Location(url: "s3://my.bucket")
        #expect(location.region == "us-east-1")
        #expect(location.endpoint == "https://s3.us-east-1.amazonaws.com")
    }

    @Test(arguments: ["postgres://x", "s3://", "s3://UPPER", "s3://b", "s3://bucket?endpoint=ftp://h", "s3://bucket?colour=red",
                      "s3://bucket?endpoint=%zz"])
    func badSettingsAreRefused(_ text: String) {
        #expect(throws: BlobStoreConfigurationError.self) { _ = try S3Location(url: text) }
    }

    @Test func theStoredBytesLimitMustBeAWholeNumber() throws {
        #expect(throws: BlobStoreConfigurationError.self) { _ = try StorageLimits(environment: ["SWEEP_LIMIT_STORED_BYTES": "1GB"]) }
        #expect(try StorageLimits(environment: [:]).defaultStoredBytes == LimitDefaults.defaultMaxStoredBytes)
        #expect(try StorageLimits(environment: ["SWEEP_LIMIT_STORED_BYTES": "5"]).defaultStoredBytes == 5)
    }
}
