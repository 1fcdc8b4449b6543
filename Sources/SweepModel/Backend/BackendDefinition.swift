import SweepJSON

/// What makes a workflow callable like an endpoint (API.md "Backend workflows"): its `request` schema, the
/// `response` items it composes, an `interceptor` function run before each call, and `config.call_timeout`.
/// Every workflow can be called; these only add checks and shape.
public struct BackendDefinition: Sendable, Hashable {
    public static let defaultCallTimeout = 30
    public static let maxCallTimeout = 3600

    public var request: RequestSchema?
    public var response: [ResponseItem]
    /// The function definition that sees (and may change or reject) each call first.
    public var interceptorFunctionID: String?

    public init(request: RequestSchema? = nil, response: [ResponseItem] = [], interceptorFunctionID: String? = nil) {
        self.request = request
        self.response = response
        self.interceptorFunctionID = interceptorFunctionID
    }

    init(_ reader: FieldReader) throws(ValidationError) {
        request = try reader.value("request").map { value throws(ValidationError) in try RequestSchema(json: value, at: reader.pointer / "request") }
        if let value = reader.value("response") {
            guard case .array(let items) = value else {
                throw ValidationError(reader.pointer / "response", .invalidType, "response must be a list of items, not \(value.typeName)")
            }
            guard items.count <= RequestParameter.maxParameters else {
                throw ValidationError(reader.pointer / "response", .tooLarge, "response declares more than \(RequestParameter.maxParameters) items")
            }
            var parsed: [ResponseItem] = []
            for (index, item) in items.enumerated() {
                let responseItem = try ResponseItem(json: item, at: reader.pointer / "response" / index)
                guard !parsed.contains(where: { $0.name == responseItem.name }) else {
                    throw ValidationError(reader.pointer / "response" / index / "name", .invalidValue, "response declares '\(responseItem.name)' twice")
                }
                parsed.append(responseItem)
            }
            response = parsed
        } else {
            response = []
        }
        if let value = reader.value("interceptor") {
            let interceptor = try FieldReader(value, at: reader.pointer / "interceptor", what: "interceptor")
            let id = try interceptor.requiredString("function_def_id")
            try Identifier.check(id, at: reader.pointer / "interceptor" / "function_def_id", name: "function_def_id")
            interceptorFunctionID = id
        } else {
            interceptorFunctionID = nil
        }
    }

    public func responseItem(_ name: String) -> ResponseItem? { response.first { $0.name == name } }
}
