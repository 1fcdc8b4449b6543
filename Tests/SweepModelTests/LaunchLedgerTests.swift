import SweepJSON
import SweepModel
import SweepStates
import Testing

@Suite struct LaunchLedgerTests {
    @Test func aNewLedgerWaitsWithNothingCounted() {
        let ledger = LaunchLedger()
        #expect(ledger.state == .waiting)
        #expect([ledger.openRuns, ledger.activeRuns, ledger.totalRuns, ledger.finishedRuns, ledger.failedRuns] == [0, 0, 0, 0, 0])
        #expect(ledger.events.isEmpty && !ledger.isTerminal)
    }

    @Test func insertedCountsTasksAndGatesOpenButOnlyTasksInTheTotal() {
        var ledger = LaunchLedger()
        ledger.inserted(tasks: 3, gates: 2)
        #expect(ledger.openRuns == 5 && ledger.totalRuns == 3 && ledger.activeRuns == 0)
    }

    @Test func admittedRunsAreActiveAndRoomFollowsTheLimit() {
        var ledger = LaunchLedger()
        ledger.inserted(tasks: 3)
        #expect(ledger.hasRoom(under: nil) && ledger.hasRoom(under: 2))
        ledger.admitted(2)
        #expect(ledger.activeRuns == 2 && !ledger.hasRoom(under: 2) && ledger.hasRoom(under: 3))
    }

    @Test func startedMovesOnlyAWaitingLaunch() {
        var ledger = LaunchLedger()
        ledger.started()
        #expect(ledger.state == .running)
        var cancelled = LaunchLedger(state: .cancelled)
        cancelled.started()
        #expect(cancelled.state == .cancelled)
    }

    @Test func successesCloseRunsWithoutDraftingEvents() {
        var ledger = LaunchLedger(state: .running, openRuns: 4, activeRuns: 4, totalRuns: 4)
        ledger.succeeded(3)
        #expect(ledger.openRuns == 1 && ledger.activeRuns == 1 && ledger.finishedRuns == 3 && ledger.failedRuns == 0)
        #expect(ledger.events.isEmpty, "success events are written by the statement that records them")
    }

    @Test func aRunningFailureCountsAndDraftsItsEvent() {
        var ledger = LaunchLedger(state: .running, openRuns: 2, activeRuns: 2, totalRuns: 2)
        ledger.failed(run: "2_A", message: "boom")
        #expect(ledger.openRuns == 1 && ledger.activeRuns == 1 && ledger.finishedRuns == 1 && ledger.failedRuns == 1)
        #expect(ledger.events == [EventDraft(type: .taskFailed, runName: "2_A", data: ["state": "failed", "error": "boom"])])
    }

    @Test(arguments: [RunKind.task, .scatter])
    func aFailureBeforeRunningIsNotActiveAndAGateIsNotAFinishedTask(kind: RunKind) {
        var ledger = LaunchLedger(state: .running, openRuns: 2, activeRuns: 1, totalRuns: 1)
        ledger.failedBeforeRunning(run: "3", kind: kind, message: "deploy condition")
        #expect(ledger.openRuns == 1 && ledger.activeRuns == 1 && ledger.failedRuns == 1)
        #expect(ledger.finishedRuns == (kind == .task ? 1 : 0))
        #expect(ledger.events.map(\.type) == [.taskFailed])
    }

    @Test(arguments: [(RunKind.task, true), (.task, false), (.scatter, false)])
    func upstreamFailedClosesTheRunAndItsActiveSlot(kind: RunKind, wasActive: Bool) {
        var ledger = LaunchLedger(state: .running, openRuns: 3, activeRuns: 1, totalRuns: 2)
        ledger.upstreamFailed(run: "4", kind: kind, wasActive: wasActive)
        #expect(ledger.openRuns == 2)
        #expect(ledger.activeRuns == (wasActive ? 0 : 1))
        #expect(ledger.finishedRuns == (kind == .task ? 1 : 0))
        #expect(ledger.failedRuns == 0, "only the run that failed counts as failed")
        #expect(ledger.events == (kind == .task ? [EventDraft(type: .taskFailed, runName: "4", data: ["state": "upstream_failed"])] : []))
    }

    @Test func anExpandedGateClosesAndSaysHowManyReplicas() {
        var ledger = LaunchLedger(state: .running, openRuns: 2, totalRuns: 1)
        ledger.expanded(gate: "2", taskID: "2", replicas: 5)
        #expect(ledger.openRuns == 1)
        #expect(ledger.events == [EventDraft(type: .taskExpanded, runName: "2", data: ["task_id": "2", "replicas": 5])])
    }

    @Test func cancelClosesEverythingOnceAndCountsOnlyTasks() {
        var ledger = LaunchLedger(state: .running, openRuns: 3, activeRuns: 2, totalRuns: 2)
        let cancelled = ledger.cancelled(runs: [("1", .task), ("2", .scatter), ("3", .task)])
        #expect(cancelled)
        #expect(ledger.state == .cancelled && ledger.openRuns == 0 && ledger.activeRuns == 0 && ledger.finishedRuns == 2)
        #expect(ledger.events.map(\.type) == [.taskFailed, .taskFailed, .launchCancelled])
        #expect(ledger.events.first?.data["state"] == "cancelled")
        let before = ledger
        let cancelledAgain = ledger.cancelled(runs: [("9", .task)])
        #expect(!cancelledAgain, "an ended launch cannot be cancelled")
        #expect(ledger == before)
    }

    @Test func itEndsSucceededWhenNothingFailed() {
        var ledger = LaunchLedger(state: .running, openRuns: 1, activeRuns: 1, totalRuns: 1)
        let endedEarly = ledger.ended()
        #expect(!endedEarly, "a run is still open")
        ledger.succeeded(1)
        let ended = ledger.ended()
        #expect(ended)
        #expect(ledger.state == .succeeded)
        #expect(ledger.events == [EventDraft(type: .launchSucceeded, data: ["state": "succeeded"])])
        let endedAgain = ledger.ended()
        #expect(!endedAgain, "ends once")
    }

    @Test func itEndsFailedWhenAnyRunFailed() {
        var ledger = LaunchLedger(state: .running, openRuns: 2, activeRuns: 2, totalRuns: 2)
        ledger.succeeded(1)
        ledger.failed(run: "b", message: "x")
        let ended = ledger.ended()
        #expect(ended)
        #expect(ledger.state == .failed && ledger.events.last?.type == .launchFailed)
    }

    @Test func aCancelledLaunchDoesNotEndAgain() {
        var ledger = LaunchLedger(state: .running, openRuns: 1, activeRuns: 1, totalRuns: 1)
        ledger.cancelled(runs: [("a", .task)])
        _ = ledger.takeEvents()
        let ended = ledger.ended()
        #expect(!ended)
        #expect(ledger.state == .cancelled && ledger.events.isEmpty)
    }

    @Test func takeEventsHandsThemOverOnce() {
        var ledger = LaunchLedger(state: .running, openRuns: 1, activeRuns: 1, totalRuns: 1)
        ledger.failed(run: "a", message: "x")
        let first = ledger.takeEvents()
        let second = ledger.takeEvents()
        #expect(first.count == 1)
        #expect(second.isEmpty)
    }

    @Test func everyLaunchEndHasItsEventAndNoOtherStateHasOne() {
        for state in LaunchState.allCases {
            #expect((EventType.launchEnded(state) != nil) == state.isTerminal)
            #expect(EventType.launchEnded(state)?.endedLaunchState == (state.isTerminal ? state : nil))
        }
    }

    @Test func statesMapToTheirDatabaseTexts() {
        #expect(RunState.allCases.map(\.rawValue) == ["pending", "scheduled", "running", "waiting", "succeeded", "failed", "upstream_failed", "cancelled", "skipped"])
        #expect(RunState.upstreamFailed.sql == "'upstream_failed'")
        #expect(RunState.sqlList(RunState.open) == "('pending', 'scheduled', 'running', 'waiting')")
        #expect(LaunchState.sqlList(LaunchState.terminal) == "('succeeded', 'failed', 'cancelled')")
        #expect(RunState.allCases.filter(\.isFinished) == [.succeeded, .failed, .upstreamFailed, .cancelled, .skipped])
        #expect(EventType(rawValue: "task.retrying") == .taskRetrying && EventType(rawValue: "launch.rerun") == .launchRerun && EventType(rawValue: "task.skipped") == .taskSkipped && EventType(rawValue: "task.waiting") == .taskWaiting)
        #expect(Set(EventType.allCases.map(\.rawValue)).count == EventType.allCases.count)
    }
}

/// The simulation drives the same ledger as the store: its books must balance with its runs.
@Suite struct LaunchSimulationLedgerTests {
    static func workflow(_ json: String) throws -> Workflow { try Workflow(json: try JSONParser.parse(json)) }

    @Test func aSucceededScatterBalancesItsBooks() throws {
        let workflow = try Self.workflow("""
            {"workflow_id": "w", "tasks": [
              {"id": "1", "execution_configurations": [{"function_def_id": "f", "priority": 1}], "successors": ["2"], "properties": {"position": "start"}},
              {"id": "2", "execution_configurations": [{"function_def_id": "f", "priority": 1}], "successors": [],
               "properties": {"scatter": "[1, 2, 3]"}}]}
            """)
        let simulation = try LaunchSimulation.run(workflow) { _ in .object([:]) }
        let ledger = simulation.ledger
        #expect(ledger.state == .succeeded)
        #expect(ledger.openRuns == 0 && ledger.activeRuns == 0)
        #expect(ledger.totalRuns == simulation.taskRunNames.count && ledger.finishedRuns == ledger.totalRuns && ledger.failedRuns == 0)
        #expect(simulation.events.map(\.type) == [.taskExpanded, .launchSucceeded])
    }

    @Test func aFailureMarksDownstreamAndEndsTheLaunchFailed() throws {
        let workflow = try Self.workflow("""
            {"workflow_id": "w", "tasks": [
              {"id": "1", "execution_configurations": [{"function_def_id": "f", "priority": 1}], "successors": ["2"], "properties": {"position": "start"}},
              {"id": "2", "execution_configurations": [{"function_def_id": "f", "priority": 1}], "successors": ["3"]},
              {"id": "3", "execution_configurations": [{"function_def_id": "f", "priority": 1}], "successors": []}]}
            """)
        struct Boom: Error {}
        let simulation = try LaunchSimulation.run(workflow) { invocation in
            if invocation.run.taskID == "1" { throw Boom() }
            return .object([:])
        }
        #expect(simulation["2"]?.state == .upstreamFailed && simulation["3"]?.state == .upstreamFailed)
        let ledger = simulation.ledger
        #expect(ledger.state == .failed && ledger.openRuns == 0 && ledger.failedRuns == 1 && ledger.finishedRuns == 3)
        #expect(simulation.events.map(\.type) == [.taskFailed, .taskFailed, .taskFailed, .launchFailed])
    }
}
