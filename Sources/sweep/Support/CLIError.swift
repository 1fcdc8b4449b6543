import HTTPClient
import SweepJSON

/// Every failure the CLI reports: one line on stderr (`sweep: <message>`) and an exit status.
struct CLIError: Error {
    let status: ExitStatus
    let message: String

    init(_ status: ExitStatus, _ message: String) {
        self.status = status
        self.message = message
    }

    /// An API error answer, from its `{"error": {"code","message","field"}}` object when it has one.
    init(response: HTTPResponse) {
        let status = ExitStatus.forHTTPStatus(response.status)
        if let body = try? JSONParser.parse(response.body), let error = body["error"],
           let message = error["message"]?.stringValue {
            var detail = [error["code"]?.stringValue].compactMap { $0 }
            if let field = error["field"]?.stringValue { detail.append("field \(field)") }
            self.init(status, detail.isEmpty ? message : "\(message) (\(detail.joined(separator: ", ")))")
        } else {
            // Not the API's error object: typically nginx answering for a worker that is down.
            self.init(status, "the server answered HTTP \(response.status)")
        }
    }

    init(transport error: HTTPClientError, url: String) {
        switch error.code {
        case .couldNotConnect: self.init(.unreachable, "cannot reach \(url): \(error.message)")
        case .timedOut: self.init(.unreachable, "no answer from \(url) in time: \(error.message)")
        case .invalidRequest: self.init(.usage, "invalid request to \(url): \(error.message)")
        default: self.init(.unreachable, "connection to \(url) failed: \(error.message)")
        }
    }

    static func usage(_ message: String) -> CLIError { CLIError(.usage, message) }

    func report() { Terminal.standardError("sweep: \(message)") }
}
