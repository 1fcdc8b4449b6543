import SweepJSON

/// The only errors whose details reach a client. Anything else becomes a logged 500 with a generic body.
public protocol HTTPResponseError: Error {
    var status: HTTPStatus { get }
    var code: String { get }
    var message: String { get }
    /// JSON pointer of the field at fault, when one field is.
    var field: String? { get }
    var extraHeaders: [(String, String)] { get }
}

extension HTTPResponseError {
    public var extraHeaders: [(String, String)] { [] }

    /// `{"error": {"code", "message", "field"?}}` as in API.md.
    public var response: Response {
        var error: [String: JSONValue] = ["code": .string(code), "message": .string(message)]
        if let field { error["field"] = .string(field) }
        var response = Response.json(["error": .object(error)], status: status)
        for (name, value) in extraHeaders { response.setHeader(name, value) }
        return response
    }
}
