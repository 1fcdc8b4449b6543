import SweepJSON
import SweepStates

/// Runs a whole launch in memory with a closure standing in for the executors, following exactly the protocol a
/// scheduler follows with `Planner` (count predecessors down, `prepare` when ready, `expand` after a gate). Tests use it
/// to check expanded DAGs and every input; it is also a reference for the scheduler's own loop. Its counters,
/// launch state and events are the same `LaunchLedger` the store applies, moved by the same transitions.
public struct LaunchSimulation: Sendable {
    public typealias State = RunState

    public struct Run: Sendable, Hashable {
        public var spec: RunSpec
        public var state: State
        /// Set once a task run was prepared.
        public var input: RunInput?
        public var output: JSONValue?
        public var error: TaskRunError?
        /// For a scatter gate: the replicas it made.
        public var replicaCount: Int?
        /// Steps count processed runs, so order can be checked: a run created at step 2 existed before anything
        /// that finished at step 3 or later.
        public var createdAtStep: Int
        public var finishedAtStep: Int?
    }

    /// What an executor is asked to run.
    public struct Invocation: Sendable, Hashable {
        public var run: RunSpec
        public var input: RunInput
    }

    public private(set) var runs: [String: Run] = [:]
    /// Run names in creation order.
    public private(set) var creationOrder: [String] = []
    public private(set) var counts = ReplicaCounts()
    private var successors: [String: [String]] = [:]
    private var waitingOn: [String: Int] = [:]
    private var ready: [String] = []
    private var step = 0
    /// The launch's books, as the store would keep them (every run is claimable at once here: no concurrency limit).
    public private(set) var ledger = LaunchLedger()
    /// Every event the ledger drafted, in order.
    public private(set) var events: [EventDraft] = []

    /// Runs `workflow` until nothing more can run. An executor that throws fails that run (a thrown `TaskRunError`
    /// is kept as is).
    public static func run(
        _ workflow: Workflow, launchInput: JSONValue? = nil,
        executor: (Invocation) throws -> JSONValue
    ) throws(ValidationError) -> LaunchSimulation {
        let planner = try Planner(workflow: workflow)
        var simulation = LaunchSimulation()
        simulation.insert(planner.start())
        var cursor = 0
        while cursor < simulation.ready.count {
            let name = simulation.ready[cursor]
            cursor += 1
            simulation.process(name, planner: planner, launchInput: launchInput, executor: executor)
        }
        _ = simulation.ledger.ended()
        simulation.events += simulation.ledger.takeEvents()
        return simulation
    }

    /// True when every run succeeded.
    public var succeeded: Bool { runs.values.allSatisfy { $0.state == .succeeded } }

    /// The runs of ordinary kind (not scatter gates), by name.
    public var taskRunNames: Set<String> { Set(runs.values.filter { $0.spec.kind == .task }.map(\.spec.name)) }

    public subscript(name: String) -> Run? { runs[name] }

    private mutating func process(_ name: String, planner: Planner, launchInput: JSONValue?, executor: (Invocation) throws -> JSONValue) {
        step += 1
        let spec = runs[name]!.spec
        let predecessors = spec.predecessors.map { name in
            let run = runs[name]!
            return RunRecord(name: name, taskID: run.spec.taskID, replicaPath: run.spec.replicaPath, output: run.output ?? .null)
        }
        switch planner.prepare(spec, predecessors: predecessors, launchInput: launchInput, in: counts) {
        case .fail(let error):
            ledger.failedBeforeRunning(run: name, kind: spec.kind, message: error.description)
            fail(name, error)
        case .expand(let count):
            runs[name]!.replicaCount = count
            counts.record(gate: spec, count: count)
            let expansion = planner.expand(gate: spec, replicaCount: count, in: counts)
            ledger.expanded(gate: name, taskID: spec.taskID, replicas: count)
            succeed(name, output: nil)
            insert(expansion)
        case .execute(let input):
            runs[name]!.input = input
            ledger.admitted()
            do {
                let output = try executor(Invocation(run: spec, input: input))
                ledger.succeeded(1)
                succeed(name, output: Planner.output(executorOutput: output, staticOutput: input.staticOutput))
            } catch let error as TaskRunError {
                ledger.failed(run: name, message: error.description)
                fail(name, error)
            } catch {
                let error = TaskRunError(code: .executionFailed, message: "\(error)")
                ledger.failed(run: name, message: error.description)
                fail(name, error)
            }
        }
        events += ledger.takeEvents()
    }

    private mutating func insert(_ expansion: Expansion) {
        let tasks = expansion.runs.filter { $0.kind == .task }.count
        ledger.inserted(tasks: tasks, gates: expansion.runs.count - tasks)
        for spec in expansion.runs {
            precondition(runs[spec.name] == nil, "run \(spec.name) created twice")
            runs[spec.name] = Run(spec: spec, state: .pending, createdAtStep: step)
            creationOrder.append(spec.name)
            var waiting = 0
            var upstreamFailed = false
            for predecessor in spec.predecessors {
                guard let run = runs[predecessor] else { preconditionFailure("run \(spec.name) names unknown predecessor \(predecessor)") }
                successors[predecessor, default: []].append(spec.name)
                switch run.state {
                case .succeeded, .skipped: break
                case .pending, .scheduled, .running, .waiting: waiting += 1
                case .failed, .upstreamFailed, .cancelled: upstreamFailed = true
                }
            }
            if upstreamFailed {
                ledger.upstreamFailed(run: spec.name, kind: spec.kind, wasActive: false)
                runs[spec.name]!.state = .upstreamFailed
                runs[spec.name]!.finishedAtStep = step
            } else if waiting == 0 {
                ready.append(spec.name)
            } else {
                waitingOn[spec.name] = waiting
            }
        }
    }

    private mutating func succeed(_ name: String, output: JSONValue?) {
        runs[name]!.state = .succeeded
        runs[name]!.output = output
        runs[name]!.finishedAtStep = step
        for successor in successors[name] ?? [] where runs[successor]!.state == .pending {
            waitingOn[successor]! -= 1
            if waitingOn[successor] == 0 { ready.append(successor) }
        }
    }

    private mutating func fail(_ name: String, _ error: TaskRunError) {
        runs[name]!.state = .failed
        runs[name]!.error = error
        runs[name]!.finishedAtStep = step
        var stack = successors[name] ?? []
        while let next = stack.popLast() {
            guard runs[next]!.state == .pending else { continue }
            ledger.upstreamFailed(run: next, kind: runs[next]!.spec.kind, wasActive: false)
            runs[next]!.state = .upstreamFailed
            runs[next]!.finishedAtStep = step
            stack.append(contentsOf: successors[next] ?? [])
        }
    }
}
