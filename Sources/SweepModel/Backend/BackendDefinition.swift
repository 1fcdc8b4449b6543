import SweepJSON

/// What makes a workflow callable like an endpoint (API.md "Backend workflows"): its `request` schema, the
/// `response` items it composes, an `interceptor` function run before each call, and `config.call_timeout`.
/// Every workflow can be called; these only add checks and shape.
public struct BackendDefinition: Sendable, Hashable {
    public static let defaultCallTimeout = 30
    public static let maxCallTimeout = 3600
    /// Seconds an interceptor has from the call to its answer (claim, start and run), `config.interceptor_timeout`.
    public static let defaultInterceptorTimeout = 10
    /// An interceptor is a check or a small rewrite in front of a waiting caller, not a job.
    public static let maxInterceptorTimeout = 300

    public var request: RequestSchema?
    public var response: [ResponseItem]
    /// What sees (and may change or reject) each call first: any executable a task may run as (a function of any
    /// destination, a container, an executor type), run as a task is (`InterceptorLaunch`).
    public var interceptor: ExecutionConfiguration?

    /// The interceptor's function definition, when it is one (registration checks it exists).
    public var interceptorFunctionID: String? {
        if case .function(let id)? = interceptor?.executable { id } else { nil }
    }

    public init(request: RequestSchema? = nil, response: [ResponseItem] = [], interceptor: ExecutionConfiguration? = nil) {
        self.request = request
        self.response = response
        self.interceptor = interceptor
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
            // The shape of a task's execution configuration: function_def_id, container_def_id or executor_type.
            interceptor = try ExecutionConfiguration(json: value, at: reader.pointer / "interceptor")
        } else {
            interceptor = nil
        }
    }

    public func responseItem(_ name: String) -> ResponseItem? { response.first { $0.name == name } }
}
