import SweepJSON
import SweepStore
import Web

/// `/api/v1/executors`: remote executors register, are listed and removed, and pull assignments: runs of their own
/// user and `type` (an `executor_type` execution configuration), each leased like a scheduler's claim.
/// `POST …/assignments` with `wait` parks (DESIGN §3): no request thread and no connection per waiting executor;
/// a NOTIFY of "work of type T for user U" (migration 0017's trigger) wakes one waiter of that key, which hands on
/// to the next when its claim left work (`SingleWake`), and `ExecutorWorkBoard` keeps the registry's periodic
/// re-checks of idle executors nearly free.
struct ExecutorController: Controller {
    static let maxWaitSeconds: Int64 = 60
    static let maxBatch: Int64 = 100
    static let defaultLeaseSeconds = SweepApplication.defaultExecutorLeaseSeconds

    let database: Database
    let limits: LimitDefaults
    /// Where long-polls park; nil (tests of the responder alone) answers at once as `wait: 0` would.
    var parking: ParkedRequests? = nil
    var leaseSeconds: Int = ExecutorController.defaultLeaseSeconds
    let board: ExecutorWorkBoard
    let counts: ExecutorClaimCounts

    init(database: Database, limits: LimitDefaults, parking: ParkedRequests?, leaseSeconds: Int,
         counts: ExecutorClaimCounts = ExecutorClaimCounts()) {
        self.database = database
        self.limits = limits
        self.parking = parking
        self.leaseSeconds = leaseSeconds
        self.counts = counts
        board = ExecutorWorkBoard(database: database)
    }

    func register(_ routes: inout Routes) {
        routes.tenant(.POST, "/api/v1/executors", create)
        routes.tenant(.GET, "/api/v1/executors", list)
        routes.tenant(.GET, "/api/v1/executors/{id}", show)
        routes.tenant(.DELETE, "/api/v1/executors/{id}", remove)
        routes.tenant(.POST, "/api/v1/executors/{id}/assignments", assignments)
    }

    @Sendable func create(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        let body = JSONFields(try request.jsonObject())
        let name = try body.requiredString("name")
        let type = try body.requiredString("type")
        guard (1...200).contains(name.count), EdgeCheck.storable(name) else {
            throw APIError.badRequest("invalid_value", "name must be 1 to 200 characters", field: "/name")
        }
        guard (1...100).contains(type.count), type.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
            throw APIError.badRequest("invalid_value", "type must be 1 to 100 letters, digits, '-', '_' or '.'", field: "/type")
        }
        let executor = try database.tenant(tenant.userID) { try ExecutorStore.create($0, name: name, type: type) }
        return .json(.object(Self.render(executor)), status: .created)
    }

    @Sendable func list(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        let page = try Page(request)
        let executors = try database.tenant(tenant.userID) { try ExecutorStore.list($0, after: page.after, limit: page.limit + 1) }
        return page.response(executors, key: \.id) { .object(Self.render($0)) }
    }

    @Sendable func show(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        let id = try request.parameter("id")
        guard let executor = try database.tenant(tenant.userID, { try ExecutorStore.find($0, id: id) }) else { throw APIError.notFound("executor") }
        return .json(.object(Self.render(executor)))
    }

    /// Deleting an executor releases the runs it holds at once, in the same transaction (`ExecutorStore.delete`).
    @Sendable func remove(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        let id = try request.parameter("id")
        guard try database.tenant(tenant.userID, { try ExecutorStore.delete($0, id: id) }) else { throw APIError.notFound("executor") }
        return .noContent()
    }

    @Sendable func assignments(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        let id = try request.parameter("id")
        let body = JSONFields(request.body.isEmpty ? [:] : try request.jsonObject())
        let wait = Int(try body.optionalInt("wait", in: 0...Self.maxWaitSeconds) ?? 0)
        let batch = Int(try body.optionalInt("max", in: 1...Self.maxBatch) ?? 1)
        let userID = tenant.userID
        guard let type = try database.tenant(userID, { try ExecutorStore.touch($0, id: id) }) else { throw APIError.notFound("executor") }
        let database = self.database, lease = leaseSeconds, cap = limits.maxRunningRuns, counts = self.counts
        let claim: @Sendable () throws -> ExecutorStore.Claim = {
            let claim = try database.system {
                try ExecutorStore.claim($0, userID: userID, executorID: id, type: type, limit: batch, leaseSeconds: lease, runningCap: cap)
            }
            (claim.items.isEmpty ? counts.empty : counts.assigned).add()
            return claim
        }
        // Taken before the first claim: a notification read from here on may be one this request missed.
        let since = ContinuousClock.now
        let first = try claim()
        if first.executorGone { throw APIError.notFound("executor") }
        guard first.items.isEmpty, wait > 0, let parking else { return Self.answer(first.items) }
        let key = ExecutorStore.workKey(userID: userID, type: type)
        let board = self.board
        return try parking.park {
            ParkedRequest(
                channel: TaskRunSQL.executorWorkChannel, key: key, deadline: .now + .seconds(wait),
                // The periodic re-check and the deadline's last look: a claim only when the board lists the key.
                check: {
                    guard try board.mayHaveWork(key) else { return nil }
                    let taken = try claim()
                    // Deleted while parked: answer now (its next request gets 404); the work is others'.
                    if taken.executorGone { return Self.answer([]) }
                    if taken.items.isEmpty { board.foundNothing(key); return nil }
                    return Self.answer(taken.items)
                },
                timedOut: { Self.answer([]) },
                // A NOTIFY of the key: claim at once, and say whether the next waiter should try too.
                singleWake: SingleWake(since: since) {
                    let taken = try claim()
                    // Deleted while parked: answer now and hand the notification on to a living executor.
                    if taken.executorGone { return SingleWake.Taken(response: Self.answer([]), workLeft: true) }
                    if taken.items.isEmpty { board.foundNothing(key); return SingleWake.Taken(response: nil, workLeft: false) }
                    return SingleWake.Taken(response: Self.answer(taken.items), workLeft: taken.workLeft)
                })
        }
    }

    static func answer(_ items: [ExecutorStore.Assignment]) -> Response {
        var response = Response.json(["items": .array(items.map(\.json))])
        // The items carry task tokens.
        response.setHeader("Cache-Control", "no-store")
        return response
    }

    static func render(_ executor: ExecutorRecord) -> [String: JSONValue] {
        ["id": .string(executor.id), "name": .string(executor.name), "type": .string(executor.type),
         "created_at": Timestamp.json(executor.createdAt), "last_seen_at": Timestamp.json(executor.lastSeenAt),
         "online": .bool(executor.online), "running": .int(Int64(executor.running))]
    }
}
