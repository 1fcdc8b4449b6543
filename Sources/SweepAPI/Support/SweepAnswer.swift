import SweepJSON
import Web

/// SWEEP-style answers: `{"status": "OK", "msg": "…", …}`.
enum SweepAnswer {
    static func ok(_ message: String, status: HTTPStatus = .ok, _ extra: [String: JSONValue] = [:]) -> Response {
        var body: [String: JSONValue] = ["status": "OK", "msg": .string(message)]
        body.merge(extra) { _, new in new }
        return .json(.object(body), status: status)
    }
}
