import ArgumentParser
import HTTPClient
import SweepJSON

/// `sweep call WORKFLOW [--method M] [--param k=v …] [--json JSON|@file | --form k=v …] [--background]
/// [--idempotency-key K]`: calls a backend workflow like an endpoint and prints its answer (`{"data","meta"}`).
struct CallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call", abstract: "Call a workflow like an endpoint and print its composed answer.",
        discussion: """
            Exit 0 with the answer ({"data", "meta"}); when the call is handed over (202: --background, or the \
            workflow's call_timeout passed) the launch id is printed and the exit is 0 too. Exit 1 when the \
            workflow failed (502 workflow_failed), 6 when the request was refused (422 invalid_request, \
            rejected_by_interceptor).
            """)

    // Not the shared GlobalOptions: `--json` here is the body (as `sweep call W --json '{"var": 5}'` reads), and
    // the answer of a call is JSON anyway.
    @Option(name: .long, help: ArgumentHelp("Server URL (overrides SWEEP_URL and the config file).", valueName: "url"))
    var url: String?

    @Argument(help: ArgumentHelp("The workflow id.", valueName: "workflow"))
    var workflow: String

    @Option(help: ArgumentHelp("GET, POST, PUT or DELETE.", valueName: "method"))
    var method: String = "POST"

    @Option(name: .customLong("param"), help: ArgumentHelp("A url param (repeatable).", valueName: "name=value"))
    var params: [String] = []

    @Option(help: ArgumentHelp("The JSON body: inline JSON, or @file (@- for stdin).", valueName: "json"))
    var json: String?

    @Option(name: .customLong("form"), help: ArgumentHelp("A form field, sent as application/x-www-form-urlencoded (repeatable).", valueName: "name=value"))
    var form: [String] = []

    @Flag(help: "Answer at once with the launch id (202); the workflow runs in the background.")
    var background = false

    @Option(help: ArgumentHelp("Calling the same workflow again with the same key answers for its first launch.", valueName: "key"))
    var idempotencyKey: String?

    func validate() throws {
        guard ["GET", "POST", "PUT", "DELETE"].contains(method.uppercased()) else { throw ValidationError("--method must be GET, POST, PUT or DELETE") }
        for pair in params + form where !pair.contains("=") { throw ValidationError("'\(pair)' is not name=value") }
        if json != nil && !form.isEmpty { throw ValidationError("give --json or --form, not both") }
        if let json, !json.hasPrefix("@"), (try? JSONParser.parse(json)) == nil {
            throw ValidationError("--json is not valid JSON (use @file to read a file)")
        }
    }

    static func split(_ pair: String) -> (String, String) {
        let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
    }

    func run() throws {
        let config = try Config.resolve(urlOverride: url)
        guard config.apiKey != nil else { throw CLIError(.auth, "not logged in: run `sweep login` or set SWEEP_API_KEY") }
        let client = APIClient(baseURL: config.url ?? Config.defaultURL, apiKey: config.apiKey)
        var query = params.map { pair -> (String, String?) in let (k, v) = Self.split(pair); return (k, v) }
        if background { query.append(("background", "true")) }
        var body: [UInt8]? = nil
        var contentType = "application/json"
        if let json {
            body = (json.hasPrefix("@") ? try JSONInput.parseFile(String(json.dropFirst())) : try JSONParser.parse(json)).jsonBytes
        } else if !form.isEmpty {
            body = Array(form.map { pair in let (k, v) = Self.split(pair); return APIClient.encode(k) + "=" + APIClient.encode(v) }
                .joined(separator: "&").utf8)
            contentType = "application/x-www-form-urlencoded"
        }
        let httpMethod = HTTPMethod(rawValue: method.uppercased())
        // The server hands over after the workflow's call_timeout (at most an hour): wait a little longer.
        let response = try client.exchange(httpMethod, client.url(["workflows", workflow, "call"], query: query), body: body,
                                           contentType: contentType, headers: idempotencyKey.map { [("Idempotency-Key", $0)] } ?? [],
                                           timeout: .seconds(3700))
        if response.status == 502, let answer = try? JSONParser.parse(response.body), answer["error"]?["code"]?.stringValue == "workflow_failed" {
            let error = answer["error"] ?? .null
            print(answer.prettyString)
            throw CLIError(.launchFailed, "\(error["message"]?.stringValue ?? "the workflow failed") (launch \(error["launch_id"]?.stringValue ?? "-"))")
        }
        let answer = try APIClient.decode(response) ?? .null
        if response.status == 202 {
            print("Running in the background: launch \(answer["launch_id"]?.cellText ?? "-") (\(answer["state"]?.cellText ?? "-"))")
            return
        }
        // The answer is the point of a call: printed as JSON either way.
        print(answer.prettyString)
    }
}
