import SweepJSON
import SweepModel
import SweepStore
import Web

/// The run API's reports, by task token (DESIGN §5), for executors, local processes and HTTP functions alike:
/// `POST /api/v1/run/heartbeat` renews the run's lease, `POST /api/v1/run/result` records its output or error
/// through the statements schedulers use, `POST /api/v1/run/children` adds runs to its launch (ColonyOS
/// `add_child`). A token that no longer authenticates but names a real run answers 409 `lease_lost`: the run was
/// rescued and handed to another attempt, or ended, and what this attempt says is discarded.
struct RunReportController: Controller {
    static let maxChildren = 100

    let database: Database
    let leaseSeconds: Int
    let admission: OutputAdmission
    let plans = LaunchPlanCache()

    func register(_ routes: inout Routes) {
        routes.open(.POST, "/api/v1/run/heartbeat", heartbeat)
        routes.open(.POST, "/api/v1/run/result", result)
        routes.open(.POST, "/api/v1/run/children", children)
    }

    static let leaseLost = APIError(status: .conflict, code: "lease_lost",
                                    message: "this attempt no longer holds the run (its lease expired and it was retried, or the run ended); the report is discarded")

    /// The token's running run, or 409 `lease_lost` for a token of a run this attempt no longer holds, or 401.
    func holder(_ request: Request) throws -> TaskTokenHolder {
        let token = try TaskTokenAuthenticator.token(of: request)
        do {
            return try TaskTokenAuthenticator(database: database).holder(of: request)
        } catch let error as APIError where error.code == "invalid_task_token" {
            if try RunReportStore.namesRun(database, token: token) { throw Self.leaseLost }
            throw error
        }
    }

    @Sendable func heartbeat(_ request: Request, _ context: RequestContext) throws -> Response {
        let holder = try holder(request)
        guard let expires = try RunReportStore.heartbeat(database, holder: holder, leaseSeconds: leaseSeconds) else { throw Self.leaseLost }
        return .json(["lease_expires_at": .string(expires)])
    }

    @Sendable func result(_ request: Request, _ context: RequestContext) throws -> Response {
        let body = JSONFields(try request.jsonObject())
        let reported: RunReportStore.Reported
        switch (body.object["output"], body.object["error"]) {
        case (let output?, nil):
            guard output.objectValue != nil else { throw APIError.invalid("invalid_type", "output must be a JSON object", field: "/output") }
            reported = .output(output)
        case (nil, let error?):
            guard case .object(let fields) = error else { throw APIError.invalid("invalid_type", "error must be an object with a message", field: "/error") }
            let details = JSONFields(fields, pointerPrefix: "/error")
            let message = try details.requiredString("message")
            guard message.count <= 10_000 else { throw APIError.invalid("invalid_value", "message must be at most 10,000 characters", field: "/error/message") }
            reported = .error(message: message, retryable: try details.optionalBool("retryable"))
        default:
            throw APIError.invalid("invalid_value", "send either {\"output\": {...}} or {\"error\": {\"message\": \"…\"}}", field: "/output")
        }
        let holder = try holder(request)
        guard try RunReportStore.result(database, holder: holder, reported, admission: admission, plans: plans) else { throw Self.leaseLost }
        return .json(["run_id": .string(holder.runName), "attempt": .int(Int64(holder.attempt))])
    }

    @Sendable func children(_ request: Request, _ context: RequestContext) throws -> Response {
        let body = JSONFields(try request.jsonObject())
        guard case .array(let items)? = body.object["children"], (1...Self.maxChildren).contains(items.count) else {
            throw APIError.invalid("invalid_value", "children must be a list of 1 to \(Self.maxChildren) tasks", field: "/children")
        }
        var children: [RunReportStore.Child] = []
        for (index, item) in items.enumerated() {
            guard case .object(var task) = item else { throw APIError.invalid("invalid_type", "a child is an object", field: "/children/\(index)") }
            let fields = JSONFields(task, pointerPrefix: "/children/\(index)")
            let name = try fields.requiredString("name")
            guard (1...100).contains(name.count), name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) else {
                throw APIError.invalid("invalid_value", "a child's name is 1 to 100 letters, digits, '_' or '-'", field: "/children/\(index)/name")
            }
            guard !children.contains(where: { $0.name == name }) else {
                throw APIError.invalid("duplicate_name", "two children are named \(name)", field: "/children/\(index)/name")
            }
            task["id"] = .string(name)
            task["name"] = nil
            if task["properties"] == nil { task["properties"] = .object([:]) }
            children.append(.init(name: name, task: .object(task)))
        }
        let before = try body.optionalString("before")
        let holder = try holder(request)
        switch try RunReportStore.addChildren(database, holder: holder, children, before: before) {
        case .added(let names): return .json(["run_ids": .array(names.map(JSONValue.string))], status: .created)
        case .leaseLost: throw Self.leaseLost
        case .invalid(let field, let code, let message): throw APIError.invalid(code, message, field: field)
        case .conflict(let code, let message): throw APIError.conflict(code, message, field: code == "not_pending" ? "/before" : "/children")
        case .overLimit(let limit):
            throw APIError.invalid("too_many_runs", "the launch may hold at most \(limit) runs (max_replicas_per_launch)", field: "/children")
        }
    }
}
