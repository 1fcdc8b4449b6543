import SweepJSON

/// A backend workflow's `request`: the parameters its `/call` takes in the query string (`url_params`), the JSON
/// body (`body`) and form data (`form`). A call is checked against it before anything runs; the first problem is
/// a 422 `invalid_request` pointing at `/url_params/age`, `/body/var` or `/form/name`.
public struct RequestSchema: Sendable, Hashable {
    public var urlParams: [RequestParameter]
    public var body: [RequestParameter]
    public var form: [RequestParameter]

    public init(urlParams: [RequestParameter] = [], body: [RequestParameter] = [], form: [RequestParameter] = []) {
        self.urlParams = urlParams
        self.body = body
        self.form = form
    }

    init(json: JSONValue, at pointer: JSONPointer) throws(ValidationError) {
        let reader = try FieldReader(json, at: pointer, what: "request")
        urlParams = try Self.parameters(reader, "url_params")
        body = try Self.parameters(reader, "body")
        form = try Self.parameters(reader, "form")
    }

    static func parameters(_ reader: FieldReader, _ key: String) throws(ValidationError) -> [RequestParameter] {
        guard let value = reader.value(key) else { return [] }
        guard case .array(let items) = value else {
            throw ValidationError(reader.pointer / key, .invalidType, "\(key) must be a list of parameters, not \(value.typeName)")
        }
        guard items.count <= RequestParameter.maxParameters else {
            throw ValidationError(reader.pointer / key, .tooLarge, "\(key) declares more than \(RequestParameter.maxParameters) parameters")
        }
        var parameters: [RequestParameter] = []
        var names: Set<String> = []
        for (index, item) in items.enumerated() {
            let parameter = try RequestParameter(json: item, at: reader.pointer / key / index)
            guard names.insert(parameter.name).inserted else {
                throw ValidationError(reader.pointer / key / index / "name", .invalidValue, "\(key) declares '\(parameter.name)' twice")
            }
            parameters.append(parameter)
        }
        return parameters
    }

    /// The launch input `{"method", "url_params", "req_body", "req_form"}` of a call, with defaults filled in and
    /// query and form text turned into the declared types; or the first problem, a `ValidationError` with code
    /// `invalid_request`. Undeclared parameters pass through unchanged.
    public func input(method: String, urlParams: [String: String], body: JSONValue?, form: [String: String]) throws(ValidationError) -> JSONValue {
        let params = try Self.apply(self.urlParams, to: urlParams.mapValues(JSONValue.string), section: "url_params", coerce: true)
        var bodyObject: [String: JSONValue] = [:]
        switch body {
        case nil, .null?: break
        case .object(let object)?: bodyObject = object
        case let other?:
            guard self.body.isEmpty else {
                throw ValidationError(.root / "body", "invalid_request", "the body must be a JSON object, not \(other.typeName)")
            }
        }
        let checkedBody: JSONValue
        if case let other? = body, other.objectValue == nil, !other.isNull {
            checkedBody = other  // no body schema: any JSON passes through
        } else {
            checkedBody = .object(try Self.apply(self.body, to: bodyObject, section: "body", coerce: false))
        }
        let checkedForm = try Self.apply(self.form, to: form.mapValues(JSONValue.string), section: "form", coerce: true)
        return ["method": .string(method), "url_params": .object(params), "req_body": checkedBody, "req_form": .object(checkedForm)]
    }

    /// Checks an interceptor's answer (the same shape, changed) against the schema again, as JSON (no coercion of
    /// query text: the interceptor speaks JSON).
    public func recheck(_ value: JSONValue) throws(ValidationError) -> JSONValue {
        guard case .object(let object) = value else {
            throw ValidationError(.root, "invalid_request", "the interceptor must answer an object with method, url_params, req_body and req_form")
        }
        func section(_ key: String) throws(ValidationError) -> [String: JSONValue] {
            guard let value = object[key], !value.isNull else { return [:] }
            guard case .object(let inner) = value else {
                throw ValidationError(.root / key, "invalid_request", "the interceptor's \(key) must be an object, not \(value.typeName)")
            }
            return inner
        }
        let method = object["method"]?.stringValue ?? "POST"
        let params = try Self.apply(urlParams, to: section("url_params"), section: "url_params", coerce: true)
        let reqBody: JSONValue
        if let raw = object["req_body"], !raw.isNull, raw.objectValue == nil, body.isEmpty {
            reqBody = raw
        } else {
            reqBody = .object(try Self.apply(body, to: section("req_body"), section: "body", coerce: false))
        }
        let reqForm = try Self.apply(form, to: section("req_form"), section: "form", coerce: true)
        return ["method": .string(method), "url_params": .object(params), "req_body": reqBody, "req_form": .object(reqForm)]
    }

    static func apply(_ parameters: [RequestParameter], to values: [String: JSONValue], section: String, coerce: Bool) throws(ValidationError) -> [String: JSONValue] {
        var result = values
        for parameter in parameters {
            let field = JSONPointer.root / section / parameter.name
            guard let value = values[parameter.name], !value.isNull else {
                if let defaultValue = parameter.defaultValue {
                    result[parameter.name] = defaultValue
                } else if parameter.required {
                    throw ValidationError(field, "invalid_request", "\(parameter.name) is required")
                }
                continue
            }
            switch parameter.check(value, at: field, coerce: coerce) {
            case .accepted(let checked): result[parameter.name] = checked
            case .refused(let error): throw error
            }
        }
        return result
    }
}
