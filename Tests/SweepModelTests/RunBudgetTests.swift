import Testing
import SweepJSON
@testable import SweepModel

/// `RunBudget`: how many runs a launch can create, refused at registration where static and at expansion where not.
@Suite struct RunBudgetTests {
    let start: [String: JSONValue] = ["position": "start"]

    func planner(_ tasks: [JSONValue]) throws -> Planner { try Planner(workflow: Workflow(json: TestSupport.workflowJSON(tasks))) }

    @Test func plainAndMultipliedTasksCountExactly() throws {
        let p = try planner([
            TestSupport.task("1", ["2"], properties: start),
            TestSupport.task("2", ["3"], properties: ["multiplicity": 3]),
            TestSupport.task("3", ["4"], properties: ["follow": "2", "multiplicity": 4]),
            TestSupport.task("4"),
        ])
        #expect(p.staticRunCount == 1 + 3 + 12 + 1)
        #expect(p.checkStaticRuns(RunBudget(maxRuns: 17)) == nil)
        let error = p.checkStaticRuns(RunBudget(maxRuns: 16))
        #expect(error?.code == .tooManyRuns)
        #expect(error?.field == "/tasks/2/properties/multiplicity")
        #expect(error?.message.contains("17 runs") == true)
        #expect(error?.message.contains("is 16") == true)
    }

    /// The plan of the issue: 10,000 × a follower of 10,000 is 10^8 runs, refused without building anything.
    @Test func tenToTheEighthIsRefusedAtOnce() throws {
        let clock = ContinuousClock()
        var error: ValidationError?
        let elapsed = try clock.measure {
            let p = try planner([
                TestSupport.task("1", ["2"], properties: start.merging(["multiplicity": 10_000]) { a, _ in a }),
                TestSupport.task("2", [], properties: ["follow": "1", "multiplicity": 10_000]),
            ])
            #expect(p.staticRunCount == 10_000 + 100_000_000)
            error = p.checkStaticRuns(RunBudget())
        }
        #expect(error?.field == "/tasks/1/properties/multiplicity")
        #expect(error?.message.contains("\(RunBudget.defaultMaxRuns)") == true)
        #expect(elapsed < .seconds(1))
    }

    @Test func aTieBlamesTheTaskThatMultiplies() throws {
        let p = try planner([
            TestSupport.task("1", ["2"], properties: start.merging(["multiplicity": 60]) { a, _ in a }),
            TestSupport.task("2", [], properties: ["follow": "1"]),
        ])
        #expect(p.checkStaticRuns(RunBudget(maxRuns: 100))?.field == "/tasks/0/properties/multiplicity")
    }

    @Test func countsSaturateInsteadOfOverflowing() {
        #expect(RunBudget.multiply(.max / 2, 3) == .max)
        #expect(RunBudget.add(.max, 1) == .max)
        #expect(RunBudget.multiply(6, 7) == 42)
    }

    @Test func scattersCountOneStaticallyWithTheirGate() throws {
        let p = try planner([
            TestSupport.task("1", ["2"], properties: start),
            TestSupport.task("2", ["3"], properties: ["scatter": "predecessor_outputs['1']['items']"]),
            TestSupport.task("3", [], properties: ["follow": "2", "multiplicity": 5]),
        ])
        #expect(p.staticRunCount == 1 + (1 + 1) + 5)
    }

    /// A scatter wider than the budget allows fails its task naming the limit; nothing is expanded.
    @Test func aWideScatterFailsAtExpansion() throws {
        var p = try planner([
            TestSupport.task("1", ["2"], properties: start),
            TestSupport.task("2", ["3"], properties: ["scatter": "predecessor_outputs['1']['items']"]),
            TestSupport.task("3", [], properties: ["follow": "2", "multiplicity": 10]),
        ])
        p.budget = RunBudget(maxRuns: 1_000)
        let gate = try #require(p.start().runs.first { $0.kind == .scatter })
        let items = { (n: Int) in [RunRecord(name: "1", taskID: "1", replicaPath: [], output: ["items": .array((0..<n).map { .int(Int64($0)) })])] }
        #expect(p.prepare(gate, predecessors: items(90), launchInput: nil, in: ReplicaCounts()) == .expand(replicaCount: 90))
        guard case .fail(let error) = p.prepare(gate, predecessors: items(91), launchInput: nil, in: ReplicaCounts()) else {
            Issue.record("expected a failure"); return
        }
        #expect(error.code == .tooManyRuns)
        #expect(error.message.contains("1000"))
    }

    /// An inner scatter's estimate multiplies by the outer replicas already known.
    @Test func nestedScattersMultiply() throws {
        var p = try planner([
            TestSupport.task("1", ["2"], properties: start),
            TestSupport.task("2", ["3"], properties: ["multiplicity": 40]),
            TestSupport.task("3", [], properties: ["follow": "2", "scatter": "static_input['items']", "static_input": ["items": .array((0..<30).map { .int(Int64($0)) })]]),
        ])
        p.budget = RunBudget(maxRuns: 1_000)
        let gate = RunSpec(name: "3_A", taskID: "3", replicaPath: [0], kind: .scatter, predecessors: ["2_A"])
        let predecessor = [RunRecord(name: "2_A", taskID: "2", replicaPath: [0], output: [:])]
        guard case .fail(let error) = p.prepare(gate, predecessors: predecessor, launchInput: nil, in: ReplicaCounts()) else {
            Issue.record("40 × 30 runs should exceed 1,000"); return
        }
        #expect(error.code == .tooManyRuns)
    }

    @Test func aGatheredInputTooDeepFailsTheRunInsteadOfBeingStored() throws {
        let p = try planner([TestSupport.task("1", ["2"], properties: start), TestSupport.task("2")])
        let run = try #require(p.start().runs.first { $0.taskID == "2" })
        let deep = OutputAdmissionTests.nested(JSONParser.defaultMaxDepth - 1)
        guard case .fail(let error) = p.prepare(run, predecessors: [RunRecord(name: "1", taskID: "1", replicaPath: [], output: deep)],
                                                launchInput: nil, in: ReplicaCounts()) else { Issue.record("expected a failure"); return }
        #expect(error.code == .inputTooDeep)
        let fine = OutputAdmissionTests.nested(OutputAdmission.defaultMaxDepth)
        guard case .execute = p.prepare(run, predecessors: [RunRecord(name: "1", taskID: "1", replicaPath: [], output: fine)],
                                        launchInput: nil, in: ReplicaCounts()) else { Issue.record("expected execute"); return }
    }

    @Test func anExpressionComputingNULFailsTheRunInsteadOfBeingStored() throws {
        let p = try planner([TestSupport.task("1", ["2"], properties: start),
                             TestSupport.task("2", [], properties: ["static_output": "'a\\x00'"])])
        let run = try #require(p.start().runs.first { $0.taskID == "2" })
        let preparation = p.prepare(run, predecessors: [RunRecord(name: "1", taskID: "1", replicaPath: [], output: [:])], launchInput: nil, in: ReplicaCounts())
        guard case .fail(let error) = preparation else { Issue.record("expected a failure, got \(preparation)"); return }
        #expect(error.code == .inputRejected)
    }
}
