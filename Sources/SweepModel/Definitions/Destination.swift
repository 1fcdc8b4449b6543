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
        if case .object(let object) = json, let credentials = object["credentials"], credentials.objectValue == nil {
            throw ValidationError(.root / "credentials", .invalidType, "credentials must be an object, not \(credentials.typeName)")
        }
        // SWEEP's provider settings are strings; anything else is a mistake worth naming, not data to keep.
        for key in Destination.stringSettings {
            // From the raw object: the reader treats null as absent, but a null setting is as wrong as a number.
            if case .object(let object) = json, let value = object[key], value.stringValue == nil {
                throw ValidationError(.root / key, .invalidType, "\(key) must be a string, not \(value.typeName)")
            }
        }
        // base_url is required for http destinations and, when given for any other, must still be a URL (null too:
        // the reader treats null as absent).
        if case .object(let object) = json, let value = object["base_url"], value.stringValue == nil {
            throw ValidationError(.root / "base_url", .invalidType, "base_url must be a string, not \(value.typeName)")
        }
        let url = cloudProvider == .http ? try reader.requiredString("base_url") : try reader.string("base_url")
        if let url {
            guard url.hasPrefix("http://") || url.hasPrefix("https://"), url.utf8.count > 8,
                  !url.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F })
            else {
                throw ValidationError(.root / "base_url", .invalidValue, "base_url must be an http:// or https:// URL")
            }
        }
        baseURL = url
        definition = json
    }

    /// The URL a function task of this `http` destination POSTs to: `base_url + function_name`, as SWEEP defines it,
    /// except that a base URL without a path (`http://host:8080`) gets its `/` first: the plain concatenation
    /// (`http://host:8080gen`) is no URL at all, and the user plainly meant `http://host:8080/gen`.
    public func functionURL(_ functionName: String) -> String? {
        guard let baseURL else { return nil }
        let authority = baseURL.split(separator: "://", maxSplits: 1).last ?? ""
        return baseURL + (authority.contains("/") ? "" : "/") + functionName
    }

    /// Provider settings SWEEP defines as strings (AWS and Azure destinations).
    static let stringSettings = [
        "aws_region", "aws_ecs_iam_role", "aws_fargate_cluster", "aws_cluster_vpc_subnet_1", "aws_cluster_vpc_subnet_2",
        "aws_lambda_iam_role", "azure_region", "azure_resource_group", "azure_container_registry",
    ]

    /// The definition as it may be shown back to its owner: secrets live in `credentials` and never leave.
    public var redacted: JSONValue {
        guard case .object(var object) = definition else { return definition }
        object["credentials"] = nil
        return .object(object)
    }
}
