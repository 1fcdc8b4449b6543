import Foundation
import Logging
import Postgres
import SweepJSON
@testable import SweepScheduler
import SweepStore
import SweepTestSupport
import Testing

/// The scheduler's claim, record and rescue paths against a real PostgreSQL, a database per test, time moved by
/// the injected clock instead of waited for.
@Suite(.serialized) struct SchedulerPathTests: StoreSuite {
    let store: StoreFixture
    let connection: PostgresConnection
    let claimer: Claimer

    init() throws {
        store = try StoreFixture()
        connection = try PostgresConnection(url: store.url, applicationName: "sweep-scheduler-tests")
        claimer = Claimer(schedulerID: "s1", leaseSeconds: 30)
    }

    func tenant(_ workflow: String) throws -> TestTenant {
        let tenant = try TestTenant.create(database)
        try tenant.registerFunctions(["a", "b", "c"])
        try tenant.registerWorkflow(workflow)
        return tenant
    }

    func claim(limit: Int = 100, clock: TransitionClock = .database) throws -> [ClaimedRun] {
        let claimer = Claimer(schedulerID: "s1", leaseSeconds: 30, clock: clock)
        return try connection.transaction { try claimer.claim($0, limit: limit) }.runs
    }

    func success(_ run: ClaimedRun, _ output: JSONValue = [:]) -> RunCompletion {
        RunCompletion(runID: run.id, launchID: run.launchID, attempt: run.attempt, outcome: .succeeded(output), identity: run.identity)
    }

    func chain() -> ChainFastPath { ChainFastPath(planners: PlannerCache(), schedulerID: "s1", leaseSeconds: 30) }

    @Test func theChainStepRecordsTheRunAndClaimsItsPlainSuccessorInOneStatement() throws {
        let t = try tenant(TestWorkflows.chain("w"))
        let id = try t.launch("w", input: ["n": 7])
        let a = try claim()[0]
        let b = try #require(try chain().completeAndClaim(connection, success(a, ["fn": "a"])))
        #expect(b.name == "b" && b.attempt == 1 && b.launchID == id)
        #expect(b.input == ["predecessor_outputs": ["a": ["fn": "a"]], "static_input": [:], "launch_input": ["n": 7]])
        #expect(!b.progressToken.isEmpty)
        let runs = try t.runs(id)
        #expect(runs["a"]?.state == "succeeded" && runs["b"]?.state == "running" && runs["c"]?.state == "pending")
        #expect(try t.events(id) == ["task.scheduled a", "launch.started", "task.started a", "task.succeeded a", "task.scheduled b", "task.started b"])
        let counters = try driver.counters(id)
        #expect(counters.written == counters.counted)
    }

    @Test func theChainStepAndTheGeneralPathWriteTheSame() throws {
        let t = try tenant(TestWorkflows.chain("w"))
        let fast = try t.launch("w", input: ["n": 1])
        let general = try t.launch("w", input: ["n": 1])
        let completer = Completer(planners: PlannerCache())
        let first = try claim()
        #expect(first.count == 2)
        // The general launch records through the completer (and the driver's general path) only; the fast one
        // through the chain step at every edge.
        for run in first where run.launchID == general {
            _ = try connection.transaction { try completer.complete($0, [RunCompletion(
                runID: run.id, launchID: run.launchID, attempt: run.attempt, outcome: .succeeded(["x": 1]))]) }
        }
        var next = first.first { $0.launchID == fast }
        var fastSteps = 0
        while let run = next {
            next = try chain().completeAndClaim(connection, success(run, ["x": 1]))
            if next != nil { fastSteps += 1 } else { _ = try connection.transaction { try completer.complete($0, [success(run, ["x": 1])]) } }
        }
        #expect(fastSteps == 2, "both edges took the chain step")
        try driver.drain(output: { _ in ["x": 1] })
        func view(_ launch: String) throws -> [String] {
            try t.runs(launch).sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.state) \($0.value.attempt) \($0.value.input?.jsonString ?? "-") \($0.value.output?.jsonString ?? "-")" }
        }
        #expect(try view(fast) == view(general))
        #expect(try t.events(fast) == t.events(general))
        #expect(try t.summary(fast).state == "succeeded" && t.summary(general).state == "succeeded")
        #expect(try driver.counters(fast).written == driver.counters(general).written)
    }

    @Test func theChainStepRefusesALaunchWithMaxTaskConcurrency() throws {
        let t = try tenant(TestWorkflows.chain("w", config: #"{"max_task_concurrency": 5}"#))
        let id = try t.launch("w")
        let a = try claim()[0]
        #expect(try chain().completeAndClaim(connection, success(a)) == nil)
        #expect(try t.runs(id)["a"]?.state == "running", "nothing changed: the general path takes over")
    }

    @Test func theChainStepRefusesAStaleAttemptAndAFailure() throws {
        let t = try tenant(TestWorkflows.chain("w"))
        let id = try t.launch("w")
        let a = try claim()[0]
        let stale = RunCompletion(runID: a.id, launchID: id, attempt: a.attempt - 1, outcome: .succeeded([:]), identity: a.identity)
        #expect(try chain().completeAndClaim(connection, stale) == nil)
        let failure = RunCompletion(runID: a.id, launchID: id, attempt: a.attempt, outcome: .failed("x"), identity: a.identity)
        #expect(try chain().completeAndClaim(connection, failure) == nil)
        #expect(try t.runs(id)["a"]?.state == "running" && t.runs(id)["b"]?.state == "pending")
    }

    @Test func leafSuccessesTakeTheLeafPathAndOthersDoNot() throws {
        let t = try tenant(TestWorkflows.fan("w", width: 3))
        let id = try t.launch("w")
        let completer = Completer(planners: PlannerCache())
        let plan = try #require(try LaunchPlan.load(connection, launchID: id))
        let a = try claim()[0]
        #expect(try connection.transaction { try completer.completesLeaves($0, id, plan, [success(a)]) } == false, "a has successors")
        _ = try connection.transaction { try completer.complete($0, [success(a)]) }
        let replicas = try claim()
        #expect(replicas.count == 3)
        #expect(try connection.transaction { try completer.completesLeaves($0, id, plan, replicas.map { success($0) }) })
        #expect(try t.summary(id).state == "succeeded", "the last leaf ends the launch")
        #expect(try driver.counters(id).written == [0, 0, 4, 4, 0])
    }

    @Test func theCompleterRecordsSeveralLaunchesInOneCall() throws {
        let t = try tenant(TestWorkflows.single("w"))
        let ids = try (0..<3).map { _ in try t.launch("w") }
        let runs = try claim()
        #expect(runs.count == 3)
        _ = try connection.transaction { try Completer(planners: PlannerCache()).complete($0, runs.map { success($0) }) }
        for id in ids { #expect(try t.summary(id).state == "succeeded") }
    }

    @Test func theRescuerRequeuesAnExpiredLeaseWhenTheClockPassesIt() throws {
        let t = try tenant(TestWorkflows.single("w"))
        let id = try t.launch("w")
        let run = try claim()[0]
        #expect(try Rescuer(clock: TransitionClock { Date().addingTimeInterval(29) }).rescue(connection).isEmpty)
        #expect(try t.runs(id)["a"]?.state == "running")
        #expect(try Rescuer(clock: TransitionClock { Date().addingTimeInterval(31) }).rescue(connection).isEmpty, "attempts are left")
        #expect(try t.runs(id)["a"]?.state == "scheduled")
        let again = try claim(clock: TransitionClock { Date().addingTimeInterval(31) })
        #expect(again.map(\.id) == [run.id] && again[0].attempt == 2)
    }

    @Test func afterTheLastAttemptTheRescuerFailsTheRunThroughTheCompleter() throws {
        let t = try tenant(TestWorkflows.chain("w"))
        let id = try t.launch("w")
        var now = Date()
        var failures: [RunCompletion] = []
        for attempt in 1...3 {
            let moment = now
            let run = try claim(clock: TransitionClock { moment })
            #expect(run.map(\.attempt) == [attempt])
            now = now.addingTimeInterval(31)
            let later = now
            failures = try Rescuer(clock: TransitionClock { later }).rescue(connection)
        }
        #expect(failures.count == 1)
        #expect(failures.first?.attempt == 3)
        _ = try connection.transaction { try Completer(planners: PlannerCache()).complete($0, failures) }
        let runs = try t.runs(id)
        #expect(runs["a"]?.state == "failed" && runs["a"]?.error?.contains("lease expired") == true)
        #expect(runs["b"]?.state == "upstream_failed")
        #expect(try t.summary(id).state == "failed")
        #expect(try t.events(id).filter { $0.hasPrefix("task.retrying") }.count == 2)
    }

    @Test func aClaimedRunWhoseInputCannotBeReadComesBackAsAFailure() throws {
        let t = try tenant(TestWorkflows.single("w"))
        let id = try t.launch("w")
        // Deeper than the JSON parser accepts (PostgreSQL stores it).
        try connection.execute("""
            UPDATE task_runs SET input = (repeat('[', 600) || repeat(']', 600))::jsonb WHERE launch_id = \(id)::uuid
            """)
        let (runs, rejected) = try connection.transaction { try claimer.claim($0, limit: 10) }
        #expect(runs.isEmpty && rejected.count == 1)
        guard case .failed(let message) = rejected.first?.outcome else { Issue.record("not a failure"); return }
        #expect(message.hasPrefix(RunCompletion.rejectedPrefix))
        _ = try connection.transaction { try Completer(planners: PlannerCache()).complete($0, rejected) }
        #expect(try t.summary(id).state == "failed")
    }

    @Test func anOutputPostgreSQLRefusesIsARunLevelErrorAndItsRejectionIsRecorded() throws {
        let t = try tenant(TestWorkflows.fan("w", width: 2))
        let id = try t.launch("w")
        let a = try claim()[0]
        _ = try connection.transaction { try Completer(planners: PlannerCache()).complete($0, [success(a)]) }
        let replicas = try claim()
        let poisoned = success(replicas[0], ["x": .string("a\u{0}b")])
        let completer = Completer(planners: PlannerCache())
        do {
            _ = try connection.transaction { try completer.complete($0, [poisoned, success(replicas[1])]) }
            Issue.record("PostgreSQL accepted a NUL in jsonb")
        } catch let error as PostgresError {
            #expect(error.isRunLevel, "\(error)")
        }
        #expect(try t.runs(id).values.filter { $0.state == "running" }.count == 2, "the batch rolled back whole")
        _ = try connection.transaction { try completer.complete($0, [poisoned.rejected("refused"), success(replicas[1])]) }
        let runs = try t.runs(id)
        #expect(runs[replicas[0].name]?.error == "output_rejected: refused")
        #expect(runs[replicas[1].name]?.state == "succeeded")
        #expect(try t.summary(id).state == "failed")
    }

    @Test func runLevelErrorsAreDataAndLimitErrorsOnly() {
        func error(_ state: String?) -> PostgresError { PostgresError(code: .server, sqlState: state, message: "m") }
        #expect(error("22P05").isRunLevel && error("22021").isRunLevel && error("54001").isRunLevel)
        #expect(!error("40P01").isRunLevel && !error("08006").isRunLevel && !error("23505").isRunLevel && !error(nil).isRunLevel)
    }
}
