import SweepJSON
import SweepStates
import SweepStore
import Web

/// `GET /api/v1/launches/{launch_id}/runs?task_id=&state=&limit=&cursor=`: a launch's runs page by page, in run
/// order, for launches too large for one status answer (API.md "Large launches"). `run_id=2_AB` finds one run by
/// name (a page of at most one item).
struct LaunchRunsController {
    let database: Database

    @Sendable func runs(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        let launchID = try request.parameter("launch_id")
        let page = try Page(request)
        let state = request.query["state"].flatMap { $0.isEmpty ? nil : $0 }
        if let state, RunState(rawValue: state) == nil {
            throw APIError.badRequest("invalid_parameter", "state must be one of \(RunState.allCases.map(\.rawValue).joined(separator: ", "))", field: "state")
        }
        let taskID = request.query["task_id"].flatMap { $0.isEmpty ? nil : $0 }
        let runID = request.query["run_id"].flatMap { $0.isEmpty ? nil : $0 }
        // The cursor is the last row id of the previous page; anything else positions the page at the start.
        let after = page.after.flatMap { Int64($0) } ?? 0
        let result = try database.tenant(tenant.userID) { tx -> ([LaunchStatusQuery.PagedRun], Set<String>)? in
            guard try LaunchStore(tx).summary(id: launchID) != nil else { return nil }
            let query = LaunchStatusQuery(tx)
            let rows = try runID.map { name in try query.run(launchID: launchID, named: name).filter { $0.rowID > after } }
                ?? query.runs(launchID: launchID, taskID: taskID, state: state, afterRowID: after, limit: page.limit + 1)
            return (rows, try query.hiddenRuns(launchID: launchID, among: rows.prefix(page.limit).map(\.run)))
        }
        guard let (rows, hidden) = result else { throw APIError.notFound("launch") }
        return page.response(rows, key: { String($0.rowID) }, render: { LaunchRendering.run($0.run, hidden: hidden) })
    }
}
