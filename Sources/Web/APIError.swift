/// The standard client-facing error: status, snake_case code, human message and the field at fault.
public struct APIError: HTTPResponseError, Sendable, CustomStringConvertible {
    public var status: HTTPStatus
    public var code: String
    public var message: String
    public var field: String?
    public var extraHeaders: [(String, String)]

    public init(status: HTTPStatus, code: String, message: String, field: String? = nil, extraHeaders: [(String, String)] = []) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.extraHeaders = extraHeaders
    }

    public var description: String { "\(status.code) \(code): \(message)" + (field.map { " [\($0)]" } ?? "") }

    public static func badRequest(_ code: String, _ message: String, field: String? = nil) -> APIError {
        APIError(status: .badRequest, code: code, message: message, field: field)
    }
    public static func invalid(_ code: String, _ message: String, field: String?) -> APIError {
        APIError(status: .unprocessableEntity, code: code, message: message, field: field)
    }
    public static let unauthorized = APIError(status: .unauthorized, code: "unauthorized", message: "authentication required: send an API key as 'Authorization: Bearer <key>' or sign in")
    public static let forbidden = APIError(status: .forbidden, code: "forbidden", message: "you are not allowed to do this")
    public static func notFound(_ what: String) -> APIError {
        APIError(status: .notFound, code: "not_found", message: "\(what) not found")
    }
    public static func conflict(_ code: String, _ message: String, field: String? = nil) -> APIError {
        APIError(status: .conflict, code: code, message: message, field: field)
    }
    public static func payloadTooLarge(limit: Int) -> APIError {
        APIError(status: .payloadTooLarge, code: "payload_too_large", message: "the request body is larger than \(limit) bytes")
    }
    public static func methodNotAllowed(_ allowed: [HTTPMethod]) -> APIError {
        let list = allowed.map(\.rawValue).joined(separator: ", ")
        return APIError(status: .methodNotAllowed, code: "method_not_allowed", message: "allowed methods: \(list)", extraHeaders: [("Allow", list)])
    }
}
