import Egress
import HTTPClient
import SweepJSON
import SweepStore
import Web

/// Runs a backend workflow's interceptor before its launch: the call's `{"method","url_params","req_body",
/// "req_form"}` goes to the interceptor function as an HTTP function's input goes (POST, JSON, the same egress
/// policy the schedulers apply), and its JSON object answer replaces the request. A non-2xx answer rejects the call
/// (422 `rejected_by_interceptor` with the function's message). Bounded by `timeout`.
///
/// It runs on the request's thread (the only blocking step of a `/call`, bounded by `timeout`): an interceptor is
/// a validation or a small rewrite, and the call cannot park before it knows what to launch.
struct InterceptorRunner: Sendable {
    static let defaultTimeout: Duration = .seconds(10)
    static let maxAnswerBytes = 1 << 20

    let egress: EgressPolicy
    var timeout: Duration = InterceptorRunner.defaultTimeout

    func run(url: String, workflowID: String, input: JSONValue) throws -> JSONValue {
        var body = input.objectValue ?? [:]
        // Like a task's `sweep`: who calls, so one interceptor can serve several workflows.
        body["sweep"] = ["workflow_id": .string(workflowID), "interceptor": true]
        let client = HTTPClient(maxBodyBytes: Self.maxAnswerBytes)
        let response: HTTPResponse
        do {
            response = try client.send(HTTPRequest(
                method: .post, url: url, headers: [(name: "Content-Type", value: "application/json"), (name: "X-Sweep-Interceptor", value: workflowID)],
                body: JSONValue.object(body).jsonBytes, timeout: timeout, egress: egress))
        } catch {
            throw APIError(status: .badGateway, code: "interceptor_unavailable", message: "the interceptor could not be reached: \(error)")
        }
        let answer = try? JSONParser.parse(response.body)
        guard (200..<300).contains(response.status) else {
            throw APIError.invalid("rejected_by_interceptor", Self.message(answer, status: response.status), field: nil)
        }
        guard let answer, case .object(var object) = answer else {
            throw APIError(status: .badGateway, code: "interceptor_invalid_answer", message: "the interceptor must answer a JSON object of the request's shape")
        }
        object["sweep"] = nil
        return .object(object)
    }

    /// The interceptor's own words: `{"error": "…"}`, `{"error": {"message": "…"}}`, `{"message": "…"}` or text.
    static func message(_ answer: JSONValue?, status: Int) -> String {
        let text: String? = switch answer {
        case .string(let s)?: s
        case .object(let o)?: o["error"]?.stringValue ?? o["error"]?["message"]?.stringValue ?? o["message"]?.stringValue ?? o["detail"]?.stringValue
        default: nil
        }
        let message = text ?? "the interceptor refused the call (HTTP \(status))"
        return message.count > 2000 ? String(message.prefix(2000)) : message
    }
}
