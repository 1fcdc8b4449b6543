import SweepJSON

/// A registered destination. The whole posted object is kept because AWS and Azure destinations carry
/// provider-specific keys Sweep stores but does not interpret.
public struct Destination: Sendable, Hashable {
    public var id: String
    public var cloudProvider: CloudProvider
    /// For `http` destinations: a function task POSTs its input to `baseURL + function_name`.
    public var baseURL: String?
    public var definition: JSONValue

    public init(json: JSONValue) throws(ValidationError) {
        let reader = try FieldReader(json, at: .root, what: "a destination definition")
        id = try reader.requiredIdentifier("id")
        let provider = try reader.requiredString("cloud_provider")
        guard let cloudProvider = CloudProvider(rawValue: provider) else {
            throw ValidationError(.root / "cloud_provider", .invalidValue,
                "cloud_provider must be one of \(CloudProvider.allCases.map(\.rawValue).joined(separator: ", ")), not \(provider)")
        }
        self.cloudProvider = cloudProvider
        if let credentials = reader.value("credentials"), credentials.objectValue == nil {
            throw ValidationError(.root / "credentials", .invalidType, "credentials must be an object, not \(credentials.typeName)")
        }
        if cloudProvider == .http {
            let url = try reader.requiredString("base_url")
            guard url.hasPrefix("http://") || url.hasPrefix("https://"), url.utf8.count > 8,
                  !url.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F })
            else {
                throw ValidationError(.root / "base_url", .invalidValue, "base_url must be an http:// or https:// URL")
            }
            baseURL = url
        } else {
            baseURL = try reader.string("base_url")
        }
        definition = json
    }

    /// The definition as it may be shown back to its owner: secrets live in `credentials` and never leave.
    public var redacted: JSONValue {
        guard case .object(var object) = definition else { return definition }
        object["credentials"] = nil
        return .object(object)
    }
}
