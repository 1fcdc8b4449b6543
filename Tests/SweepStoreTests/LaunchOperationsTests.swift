import Foundation
import Postgres
import SweepJSON
import SweepStore
import SweepTestSupport
import Testing

/// Re-run and removal of ended launches (`LaunchRerun`, `LaunchRemoval`) on a real PostgreSQL: what is re-opened,
/// what is deleted and planned again, the guards, and the counters (written must equal counted from the runs).
@Suite(.serialized) struct LaunchOperationsTests: StoreSuite {
    let store: StoreFixture

    init() throws {
        store = try StoreFixture()
    }

    func tenant(_ functions: [String] = ["a", "b", "c"]) throws -> TestTenant {
        let tenant = try TestTenant.create(database)
        try tenant.registerFunctions(functions)
        return tenant
    }

    func rerun(_ t: TestTenant, _ id: String, _ scope: LaunchRerun.Scope) throws -> LaunchRerun.Outcome {
        try t.tenant { try LaunchRerun($0).rerun(launchID: id, scope) }
    }

    func expectConsistent(_ id: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let counters = try driver.counters(id)
        #expect(counters.written == counters.counted, sourceLocation: sourceLocation)
    }

    /// a -> b (scattered over a's `items`) -> c (gathers every replica).
    static let scatterAfterA = """
        {"workflow_id": "fan", "tasks": [
          {"id": "a", "execution_configurations": [{"function_def_id": "a", "priority": 1}], "successors": ["b"], "properties": {"position": "start"}},
          {"id": "b", "execution_configurations": [{"function_def_id": "b", "priority": 1}], "successors": ["c"],
           "properties": {"scatter": "predecessor_outputs['a']['items']"}},
          {"id": "c", "execution_configurations": [{"function_def_id": "c", "priority": 1}], "successors": []}]}
        """

    @Test func rerunFromFailedReopensTheFailedRunAndItsDownstreamWithAFreshAttemptBudget() throws {
        let t = try tenant()
        try t.registerWorkflow(TestWorkflows.chain("w"))
        let id = try t.launch("w")
        let a = try driver.claim()[0]
        try driver.complete(id, [driver.failure(a, "it broke")])
        #expect(try t.summary(id).state == "failed")

        #expect(try rerun(t, id, .failed) == .rerun(runs: 3, replanned: 0))
        let summary = try t.summary(id)
        #expect(summary.state == "running" && summary.finishedAt == nil && summary.output == nil)
        let runs = try t.runs(id)
        #expect(runs["a"]?.state == "scheduled" && runs["a"]?.attempt == 1 && runs["a"]?.error == nil)
        #expect(runs["b"]?.state == "pending" && runs["c"]?.state == "pending")
        #expect(try t.events(id).suffix(3) == ["launch.failed", "launch.rerun", "task.scheduled a"])
        #expect(try driver.value(Int.self, "SELECT max_attempts FROM task_runs WHERE id = \(a.id)") == 4)
        try expectConsistent(id)

        let again = try driver.claim()
        #expect(again.map(\.name) == ["a"] && again[0].attempt == 2)
        // A result of the attempt before the re-run is fenced out.
        #expect(try driver.complete(id, [driver.success(a)]) == 0)
        try driver.complete(id, [driver.success(again[0])])
        try driver.drain()
        #expect(try t.summary(id).state == "succeeded")
        #expect(try t.events(id).last == "launch.succeeded")
        try expectConsistent(id)
    }

    @Test func rerunOfANamedTaskKeepsWhatSucceededUpstream() throws {
        let t = try tenant()
        try t.registerWorkflow(TestWorkflows.chain("w"))
        let id = try t.launch("w")
        try driver.drain(output: { ["from": .string($0.name)] })
        #expect(try t.summary(id).state == "succeeded")

        #expect(try rerun(t, id, .tasks(["b"])) == .rerun(runs: 2, replanned: 0))
        let runs = try t.runs(id)
        #expect(runs["a"]?.state == "succeeded" && runs["a"]?.output == ["from": "a"] && runs["a"]?.attempt == 1)
        #expect(runs["b"]?.state == "scheduled" && runs["b"]?.input?["predecessor_outputs"] == ["a": ["from": "a"]])
        #expect(runs["c"]?.state == "pending" && runs["c"]?.output == nil)
        try expectConsistent(id)
        let claimed = try driver.claim()
        #expect(claimed.map(\.name) == ["b"])
        try driver.complete(id, [driver.success(claimed[0], output: ["from": "b2"])])
        try driver.drain()
        #expect(try t.summary(id).state == "succeeded")
        #expect(try t.runs(id)["c"]?.input?["predecessor_outputs"] == ["b": ["from": "b2"]])
        try expectConsistent(id)
    }

    @Test func rerunReplansAScatterFromItsPredecessorsNewOutput() throws {
        let t = try tenant()
        try t.registerWorkflow(Self.scatterAfterA)
        let id = try t.launch("fan")
        let a = try driver.claim()[0]
        try driver.complete(id, [driver.success(a, output: ["items": [1, 2]])])
        let replicas = try driver.claim()
        #expect(Set(replicas.map(\.name)) == ["b_A", "b_B"])
        try driver.complete(id, replicas.map { driver.success($0) })
        let c = try driver.claim()[0]
        try driver.complete(id, [driver.failure(c)])
        #expect(try t.summary(id).state == "failed")

        #expect(try rerun(t, id, .tasks(["a"])) == .rerun(runs: 2, replanned: 3))
        #expect(Set(try t.runs(id).keys) == ["a", "b"], "the replicas and the gatherer are gone; the gate b waits again")
        try expectConsistent(id)
        let a2 = try driver.claim()[0]
        try driver.complete(id, [driver.success(a2, output: ["items": [1, 2, 3]])])
        try driver.drain()
        let runs = try t.runs(id)
        #expect(Set(runs.keys) == ["a", "b_A", "b_B", "b_C", "c"])
        #expect(runs["a"]?.successors == ["b", "b_A", "b_B", "b_C"], "each successor linked once")
        #expect(runs["c"]?.predecessors == ["b_A", "b_B", "b_C"] && runs["b_A"]?.successors == ["c"])
        #expect(try t.summary(id).state == "succeeded")
        try expectConsistent(id)
    }

    @Test func rerunRefusesWhatItCannotDoAndChangesNothing() throws {
        let t = try tenant()
        let other = try tenant()
        try t.registerWorkflow(TestWorkflows.chain("w"))
        let waiting = try t.launch("w")
        #expect(try rerun(t, waiting, .failed) == .notEnded(state: "waiting"))
        try driver.drain()
        #expect(try rerun(t, waiting, .failed) == .nothingToRerun)
        #expect(try rerun(t, waiting, .tasks(["b", "zz"])) == .unknownTask(index: 1, id: "zz"))
        #expect(try rerun(other, waiting, .tasks(["a"])) == .notFound)
        #expect(try rerun(t, "not-a-uuid", .failed) == .notFound)
        #expect(try t.summary(waiting).state == "succeeded")
        #expect(try t.events(waiting).last == "launch.succeeded")
    }

    @Test func deleteRemovesAnEndedLaunchWithItsRunsAndEventsOnly() throws {
        let t = try tenant()
        let other = try tenant()
        try t.registerWorkflow(TestWorkflows.chain("w"))
        let running = try t.launch("w")
        _ = try driver.claim()
        #expect(try t.tenant { try LaunchRemoval($0).delete(launchID: running) } == .notEnded(state: "running"))
        let ended = try t.launch("w")
        try driver.drain()
        #expect(try other.tenant { try LaunchRemoval($0).delete(launchID: ended) } == .notFound)
        #expect(try t.tenant { try LaunchRemoval($0).delete(launchID: ended) } == .deleted)
        #expect(try t.tenant { try LaunchRemoval($0).delete(launchID: ended) } == .notFound)
        #expect(try driver.value(Int.self, "SELECT count(*)::int FROM task_runs WHERE launch_id = \(ended)::uuid") == 0)
        #expect(try driver.value(Int.self, "SELECT count(*)::int FROM events WHERE launch_id = \(ended)::uuid") == 0)
        #expect(try driver.value(Int.self, "SELECT count(*)::int FROM task_runs WHERE launch_id = \(running)::uuid") == 3)
    }

    @Test func bulkDeleteGoesInBoundedBatchesAndNeverTakesOpenLaunches() throws {
        let t = try tenant()
        let other = try tenant()
        try t.registerWorkflow(TestWorkflows.chain("w"))
        try t.registerWorkflow(TestWorkflows.chain("v"))
        try other.registerWorkflow(TestWorkflows.chain("w"))
        for _ in 0..<3 { _ = try t.launch("w") }
        let v = try t.launch("v")
        let theirs = try other.launch("w")
        try driver.drain()
        let open = try t.launch("w")
        func batch(_ t: TestTenant, _ workflow: String?, size: Int) throws -> Int {
            try t.tenant { try LaunchRemoval($0).deleteBatch(state: .succeeded, workflowID: workflow, batchSize: size) }
        }
        #expect(try batch(t, "w", size: 2) == 2)
        #expect(try batch(t, "w", size: 2) == 1)
        #expect(try batch(t, "w", size: 2) == 0, "the open launch stays")
        #expect(try t.tenant { try LaunchStore($0).list(state: nil, workflowID: nil, after: nil, limit: 10) }.map(\.id).sorted() == [v, open].sorted())
        #expect(try other.tenant { try LaunchStore($0).summary(id: theirs) }?.state == "succeeded")
    }

    @Test func rerunOfAnInnerScatterReplansOnlyItsLevelAndWhatGathersIt() throws {
        let t = try tenant(["f"])
        func task(_ id: String, _ successors: [String], _ properties: String = "{}") -> String {
            #"{"id": "\#(id)", "execution_configurations": [{"function_def_id": "f", "priority": 1}], "successors": \#(successors), "properties": \#(properties)}"#
        }
        try t.registerWorkflow("""
            {"workflow_id": "nest", "tasks": [\(task("1", ["2"], #"{"position": "start"}"#)),
              \(task("2", ["3", "4"], #"{"scatter": "predecessor_outputs['1']['groups']"}"#)),
              \(task("3", ["4"], #"{"follow": "2", "scatter": "predecessor_outputs['2']['items']"}"#)),
              \(task("4", ["5"], #"{"follow": "2"}"#)), \(task("5", []))]}
            """)
        let id = try t.launch("nest")
        var items: [String: JSONValue] = ["2_A": ["x", "y"], "2_B": ["z"]]
        let output: (StoreDriver.Claimed) -> JSONValue = { run in
            run.name == "1" ? ["groups": [["x", "y"], ["z"]]] : (items[run.name].map { ["items": $0] } ?? [:])
        }
        // 2_B fails: its inner gate 3_B never expands, so 3_B_*, 4_B and 5 never exist.
        for _ in 0..<10 {
            let claimed = try driver.claim()
            if claimed.isEmpty { break }
            try driver.complete(id, claimed.map { $0.name == "2_B" ? driver.failure($0) : driver.success($0, output: output($0)) })
        }
        #expect(try t.summary(id).state == "failed")
        #expect(Set(try t.runs(id).keys) == ["1", "2_A", "2_B", "3_A_A", "3_A_B", "3_B", "4_A"])

        // From failed, 2_B runs again and now answers two items: its inner gate expands from that.
        items["2_B"] = ["z", "w"]
        #expect(try rerun(t, id, .failed) == .rerun(runs: 2, replanned: 0))
        try expectConsistent(id)
        try driver.drain(output: output)
        var runs = try t.runs(id)
        #expect(Set(runs.keys) == ["1", "2_A", "2_B", "3_A_A", "3_A_B", "3_B_A", "3_B_B", "4_A", "4_B", "5"])
        #expect(runs["1"]?.attempt == 1 && runs["2_A"]?.attempt == 1 && runs["2_B"]?.attempt == 2)
        #expect(runs["4_B"]?.predecessors == ["2_B", "3_B_A", "3_B_B"] && runs["5"]?.predecessors == ["4_A", "4_B"])
        #expect(try t.summary(id).state == "succeeded")
        try expectConsistent(id)

        // Task 3 again: its inner gates decide again (from the same outputs) and what they made is planned anew;
        // the outer level (1, 2_*) is kept.
        #expect(try rerun(t, id, .tasks(["3"])) == .rerun(runs: 2, replanned: 7))
        try expectConsistent(id)
        try driver.drain(output: output)
        runs = try t.runs(id)
        #expect(Set(runs.keys) == ["1", "2_A", "2_B", "3_A_A", "3_A_B", "3_B_A", "3_B_B", "4_A", "4_B", "5"])
        #expect(runs["2_A"]?.attempt == 1 && runs["2_B"]?.attempt == 2 && runs["3_B_B"]?.attempt == 1)
        #expect(runs["2_A"]?.successors.filter { $0 == "3_A_A" }.count == 1)
        #expect(try t.summary(id).state == "succeeded")
        try expectConsistent(id)
    }
}
