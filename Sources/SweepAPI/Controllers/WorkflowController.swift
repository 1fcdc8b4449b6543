import SweepJSON
import SweepModel
import SweepStore
import Web

/// `/api/v1/workflows`: SWEEP workflow definitions, validated at registration, kept with versions.
struct WorkflowController: Controller {
    let database: Database
    var limits = LimitDefaults()

    func register(_ routes: inout Routes) {
        routes.tenant(.POST, "/api/v1/workflows", create)
        routes.tenant(.GET, "/api/v1/workflows", list)
        routes.tenant(.GET, "/api/v1/workflows/{id}", show)
        routes.tenant(.DELETE, "/api/v1/workflows/{id}", delete)
    }

    @Sendable func create(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        let json = try request.definitionBody()
        let (workflow, version) = try database.tenant(tenant.userID) { tx -> (Workflow, Int) in
            let catalog = DefinitionCatalog(
                functionIDs: try DefinitionStore(tx, .function).allIDs(),
                containerIDs: try DefinitionStore(tx, .container).allIDs(),
                workflowVersions: try WorkflowStore(tx).latestVersions())
            let workflow: Workflow
            do {
                workflow = try Workflow.registering(json, catalog: catalog)
                // Bounds before work: a plan over the user's replicas per launch is refused here, not at launch.
                let maxRuns = try UserLimitStore.find(tx.connection, userID: tx.userID).effective(limits).maxReplicasPerLaunch
                if let tooMany = try Planner(workflow: workflow).checkStaticRuns(RunBudget(maxRuns: maxRuns)) { throw tooMany }
            } catch let error as ValidationError {
                throw error.apiError
            }
            return (workflow, try WorkflowStore(tx).insertNextVersion(workflowID: workflow.id, definition: json))
        }
        return SweepAnswer.ok(
            "Successfully created workflow \(workflow.id) for user \(tenant.user.username).", status: .created,
            ["workflow_id": .string(workflow.id), "version": .int(Int64(version))])
    }

    @Sendable func list(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        let page = try Page(request)
        let items = try database.tenant(tenant.userID) { try WorkflowStore($0).listLatest(after: page.after, limit: page.limit + 1) }
        return page.response(items, key: \.workflowID, render: render)
    }

    @Sendable func show(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        let id = try request.parameter("id")
        var version: Int?
        if let text = request.filter("version") {
            guard let number = Int(text), number > 0 else {
                throw APIError.badRequest("invalid_parameter", "version must be a positive integer", field: "version")
            }
            version = number
        }
        guard let stored = try database.tenant(tenant.userID, { try WorkflowStore($0).find(workflowID: id, version: version) }) else {
            throw APIError.notFound("workflow")
        }
        return .json(render(stored))
    }

    @Sendable func delete(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        let id = try request.parameter("id")
        guard try database.tenant(tenant.userID, { try WorkflowStore($0).delete(workflowID: id) }) else {
            throw APIError.notFound("workflow")
        }
        return .noContent()
    }

    func render(_ stored: StoredWorkflow) -> JSONValue {
        [
            "workflow_id": .string(stored.workflowID), "version": .int(Int64(stored.version)),
            "definition": stored.definition, "created_at": Timestamp.json(stored.createdAt),
        ]
    }
}
