/// Builds the configured blob store from the environment, once, at start-up.
/// `SWEEP_BLOB_STORE`: unset or `postgres` for the embedded store; `s3://BUCKET?endpoint=…&region=…` for an
/// S3-compatible one, with `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` from the environment.
public enum BlobStoreFactory {
    public static func make(environment: [String: String], database: Database) throws(BlobStoreConfigurationError) -> any BlobStore {
        let setting = environment["SWEEP_BLOB_STORE"] ?? ""
        if setting.isEmpty || setting == "postgres" { return PostgresBlobStore(database: database) }
        let location = try S3Location(url: setting)
        guard let key = environment["AWS_ACCESS_KEY_ID"], !key.isEmpty,
              let secret = environment["AWS_SECRET_ACCESS_KEY"], !secret.isEmpty else {
            throw BlobStoreConfigurationError("SWEEP_BLOB_STORE is an S3 bucket: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
        }
        return S3BlobStore(location: location, accessKeyID: key, secretAccessKey: secret)
    }
}
