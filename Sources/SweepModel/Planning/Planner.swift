import SweepExpression
import SweepJSON

/// Turns a workflow into runs, incrementally, for one launch. Pure: the scheduler stores what it returns.
///
/// Protocol with the scheduler:
/// 1. `start()` gives the runs that exist at launch, with predecessor edges.
/// 2. A run whose predecessors have all succeeded (the scheduler counts them down) goes through `prepare`:
///    a task run gets its input (`.execute`) or fails (`.fail`); a scatter gate gets its replica count (`.expand`).
/// 3. For `.expand`, the scheduler records the count (it is what `LaunchView` answers) and inserts
///    `expand(gate:replicaCount:in:)`'s runs; those include followers of the scattered task, so `4_A` exists as
///    soon as `2` is expanded, before any `2_X` finished.
/// 4. A finished task's stored output is `output(executorOutput:staticOutput:)`.
/// Completing an ordinary run never creates runs, so the scheduler never reloads a launch on completion.
public struct Planner: Sendable {
    public let workflow: Workflow
    let plan: ReplicationPlan
    /// The runs one launch may create; a scatter that would exceed it fails its task (`too_many_runs`).
    public var budget = RunBudget()

    /// Throws the first structural problem (the checks of `WorkflowValidator` that need no catalog).
    public init(workflow: Workflow) throws(ValidationError) {
        self.workflow = workflow
        plan = try ReplicationPlan(workflow)
    }

    // MARK: Expansion

    /// The runs that exist before anything ran: every unreplicated or multiplied task whose predecessors are known,
    /// and the gates of scatter tasks that do not depend on another scatter.
    public func start() -> Expansion {
        let units = units(in: ReplicaCounts())
        return Expansion(runs: runSpecs(for: units, excluding: UnitTable(), in: ReplicaCounts()))
    }

    /// The runs that come into existence because `gate` decided `replicaCount` replicas: the replicas themselves,
    /// followers' runs, gatherers, and gates further down. `view` holds the other gates' counts (this gate's own
    /// count may or may not be in it yet).
    public func expand(gate: RunSpec, replicaCount: Int, in view: some LaunchView) -> Expansion {
        let before = OverridingView(base: view, taskID: gate.taskID, outerPath: gate.replicaPath, count: nil)
        let after = OverridingView(base: view, taskID: gate.taskID, outerPath: gate.replicaPath, count: replicaCount)
        return Expansion(runs: runSpecs(for: units(in: after), excluding: units(in: before), in: after))
    }

    /// Which runs exist given the decided counts. Computed in topological order, so every predecessor's runs are
    /// known before a task's are.
    func units(in view: some LaunchView) -> UnitTable {
        var table = UnitTable()
        for id in plan.order {
            let chain = plan.chain(id)
            if case .scatter = plan.replication(id) {
                for outer in plan.knownPaths(chain.dropLast(), from: [], in: view) where dependenciesExist(id, outer, table, view) {
                    table.gates[id, default: []].append(outer)
                    guard let count = view.replicaCount(ofTask: id, outerPath: outer) else { continue }
                    for index in 0..<count { table.addInstance(id, outer + [index]) }
                }
            } else {
                for path in plan.knownPaths(chain[...], from: [], in: view) where dependenciesExist(id, path, table, view) {
                    table.addInstance(id, path)
                }
            }
        }
        return table
    }

    private func dependenciesExist(_ id: String, _ path: [Int], _ table: UnitTable, _ view: some LaunchView) -> Bool {
        guard let dependencies = plan.dependencies(of: id, at: path, in: view) else { return false }
        return dependencies.allSatisfy { dependency in dependency.paths.allSatisfy { table.hasInstance(dependency.task, $0) } }
    }

    /// The first `limit` runs of what `expand(gate:replicaCount:in:)` gives, and how many runs it gives in all
    /// (`total`, of which `tasks` are task runs rather than gates), without building the others: a run's spec
    /// (its name, its predecessors' names) is most of planning a wide expansion, and only the first chunk of one
    /// is inserted at once, on the path between the gate's predecessor's end and its first replica's start.
    /// `successors` gives, for each of `runs`, the names of the expansion's runs that depend on it
    /// (`successorsWithin`), so the first chunk's rows are stored with them and never updated by a later chunk.
    public func expand(gate: RunSpec, replicaCount: Int, in view: some LaunchView, first limit: Int)
        -> (runs: [RunSpec], total: Int, tasks: Int, successors: [[String]]) {
        let before = OverridingView(base: view, taskID: gate.taskID, outerPath: gate.replicaPath, count: nil)
        let after = OverridingView(base: view, taskID: gate.taskID, outerPath: gate.replicaPath, count: replicaCount)
        let (table, old) = (units(in: after), units(in: before))
        let first = runSpecs(for: table, excluding: old, in: after, limit: limit)
        return (first.runs, first.total, first.tasks, successorsWithin(first.runs, table: table, excluding: old))
    }

    func runSpecs(for table: UnitTable, excluding old: UnitTable, in view: some LaunchView) -> [RunSpec] {
        runSpecs(for: table, excluding: old, in: view, limit: .max).runs
    }

    /// The specs of the units of `table` not in `old`, in topological order, built for the first `limit` only.
    func runSpecs(for table: UnitTable, excluding old: UnitTable, in view: some LaunchView, limit: Int) -> (runs: [RunSpec], total: Int, tasks: Int) {
        var runs: [RunSpec] = []
        var total = 0, tasks = 0
        for id in plan.order {
            let delay = plan.tasks[id]!.properties.delay
            let oldGates = Set(old.gates[id] ?? [])
            for outer in table.gates[id] ?? [] where !oldGates.contains(outer) {
                total += 1
                guard runs.count < limit else { continue }
                runs.append(RunSpec(name: ReplicaName.name(task: id, path: outer), taskID: id, replicaPath: outer, kind: .scatter,
                                    predecessors: predecessorNames(id, outer, view)))
            }
            // A task with no instance before (the replicas of the gate that expands): nothing to look up.
            let hadInstances = old.hasInstances(of: id)
            for path in table.instances[id] ?? [] where !hadInstances || !old.hasInstance(id, path) {
                total += 1
                tasks += 1
                guard runs.count < limit else { continue }
                runs.append(RunSpec(name: ReplicaName.name(task: id, path: path), taskID: id, replicaPath: path, kind: .task,
                                    predecessors: predecessorNames(id, path, view), delaySeconds: delay))
            }
        }
        return (runs, total, tasks)
    }

    private func predecessorNames(_ id: String, _ path: [Int], _ view: some LaunchView) -> [String] {
        (plan.dependencies(of: id, at: path, in: view) ?? []).flatMap { dependency in
            dependency.paths.map { ReplicaName.name(task: dependency.task, path: $0) }
        }
    }

    // MARK: Preparation

    /// Decides what a ready run does. `predecessors` are the succeeded runs named in `run.predecessors`;
    /// `view` is consulted only when the run gathers more than one level of replicas.
    public func prepare(_ run: RunSpec, predecessors: [RunRecord], launchInput: JSONValue?, in view: some LaunchView,
                        memo: ScatterMemo? = nil) -> Preparation {
        guard let task = plan.tasks[run.taskID] else {
            return .fail(TaskRunError(code: .unknownTask, message: "task \(run.taskID) is not part of workflow \(workflow.id)"))
        }
        var outputs: [String: JSONValue] = [:]
        for record in predecessors { outputs[record.name] = record.output }
        var input: [String: JSONValue]
        switch taskInput(run, outputs: outputs, launchInput: launchInput, view: view) {
        case .success(let built): input = built
        case .failure(let error): return .fail(error)
        }
        Self.gatherChildren(predecessors, plan: plan, into: &input)
        let properties = task.properties

        if case .scatter(let expression) = properties.replication {
            let list: [JSONValue]
            let key = ScatterMemo.key(taskID: task.id, outerPath: run.kind == .scatter ? run.replicaPath[...] : run.replicaPath.dropLast())
            if let remembered = memo?.lists[key] {
                list = remembered
            } else {
                switch scatterList(expression, input: input, taskID: task.id) {
                case .success(let items): list = items
                case .failure(let error): return .fail(error)
                }
                memo?.lists[key] = list
            }
            if run.kind == .scatter {
                if let error = checkExpansion(of: task.id, at: run.replicaPath, width: list.count, in: view) { return .fail(error) }
                return .expand(replicaCount: list.count)
            }
            guard let index = run.replicaPath.last, list.indices.contains(index) else {
                return .fail(TaskRunError(code: .scatterFailed, message: "scatter of task \(task.id) no longer has an element for replica \(run.name)"))
            }
            input = Self.scattering(list[index], over: expression, in: input)
        } else if run.kind == .scatter {
            return .fail(TaskRunError(code: .scatterFailed, message: "task \(task.id) does not scatter"))
        }

        for (index, condition) in properties.deployConditions.enumerated() {
            do {
                let value = try condition.evaluate(input)
                if !value.isTruthy {
                    return .fail(TaskRunError(code: .deployConditionFalse,
                        message: "deploy condition \(index) of task \(task.id) is false: \(condition.source)"))
                }
            } catch {
                return .fail(TaskRunError(code: .deployConditionFailed,
                    message: "deploy condition \(index) of task \(task.id) could not be evaluated: \(error.description) in \(condition.source)"))
            }
        }

        var staticOutput: JSONValue?
        switch properties.staticOutput {
        case .constant(let value)?: staticOutput = value
        case .expression(let expression)?:
            do {
                staticOutput = try expression.evaluate(input)
            } catch {
                return .fail(TaskRunError(code: .staticOutputFailed,
                    message: "static_output of task \(task.id) could not be evaluated: \(error.description) in \(expression.source)"))
            }
        case nil: break
        }

        var environment: [EnvironmentVariable]?
        var command: [String]?
        if task.isContainerTask {
            switch CommandEvaluation.arguments(properties.command, input: input, taskID: task.id) {
            case .success(let arguments): command = arguments
            case .failure(let error): return .fail(error)
            }
            switch properties.environment {
            case .variables(let variables)?: environment = variables
            case .expression(let expression)?:
                let value: JSONValue
                do {
                    value = try expression.evaluate(input)
                } catch {
                    return .fail(TaskRunError(code: .environmentFailed,
                        message: "environment of task \(task.id) could not be evaluated: \(error.description) in \(expression.source)"))
                }
                switch EnvironmentVariable.list(from: value) {
                case .success(let variables): environment = variables
                case .failure(let error):
                    return .fail(TaskRunError(code: .environmentFailed, message: "environment of task \(task.id) (\(expression.source)) \(error.message)"))
                }
            case nil: break
            }
        }
        // Last, so deploy conditions, static_output, environment and command all read the standard input.
        let runInput: JSONValue
        switch InputTransform.apply(properties.semantics.transformInput, to: input, taskID: task.id) {
        case .success(let value): runInput = value
        case .failure(let error): return .fail(error)
        }
        if let error = Self.checkStorable(input: runInput, taskID: task.id) { return .fail(error) }
        // An expression can compute text PostgreSQL cannot hold ('\x00'); the run fails instead of its statement.
        let computed = JSONValue.array((environment ?? []).map(\.json) + (command ?? []).map(JSONValue.string) + [staticOutput ?? .null])
        if let pointer = runInput.pointerToNUL ?? computed.pointerToNUL {
            return .fail(TaskRunError(code: .inputRejected,
                message: "the input, environment, command or static_output of task \(task.id) holds the NUL character (\\u0000) at \(pointer), which PostgreSQL cannot store"))
        }
        var prepared = RunInput(input: runInput, environment: environment, command: command, staticOutput: staticOutput,
                                runtimeSeconds: properties.semantics.maxRuntime)
        switch properties.files.evaluate(input: input, taskID: task.id) {
        case .success(let files): prepared.files = files
        case .failure(let error): return .fail(error)
        }
        return .execute(prepared)
    }

    /// A run's input is stored, read back by the scheduler that claims it, and sent to its executor: one nested
    /// deeper than the parser reads, or larger than `ModelLimits.maxRunInputBytes` (a gather of many large outputs),
    /// would fail every claim that meets it, so the run fails here instead.
    static func checkStorable(input: JSONValue, taskID: String) -> TaskRunError? {
        let depth = input.nestingDepth
        if depth > JSONParser.defaultMaxDepth {
            return TaskRunError(code: .inputTooDeep,
                message: "the input of task \(taskID) nests \(depth) levels deep, more than the limit of \(JSONParser.defaultMaxDepth)")
        }
        if input.serializedSize(upTo: ModelLimits.maxRunInputBytes) > ModelLimits.maxRunInputBytes {
            return TaskRunError(code: .inputTooLarge,
                message: "the input of task \(taskID) is more than \(ModelLimits.maxRunInputBytes) bytes (ModelLimits.maxRunInputBytes)")
        }
        return nil
    }

    /// The output successors see: the executor's object with `static_output` added. SWEEP requires function output to
    /// be a dict; anything else is kept under `result` so static output still has a place.
    public static func output(executorOutput: JSONValue, staticOutput: JSONValue?) -> JSONValue {
        guard let staticOutput else { return executorOutput }
        switch executorOutput {
        case .object(var object):
            object["static_output"] = staticOutput
            return .object(object)
        case .null:
            return .object(["static_output": staticOutput])
        default:
            return .object(["result": executorOutput, "static_output": staticOutput])
        }
    }

    /// `{"predecessor_outputs": {id: output or [outputs…]}, "static_input": …, "launch_input"?: …}`.
    func taskInput(_ run: RunSpec, outputs: [String: JSONValue], launchInput: JSONValue?, view: some LaunchView) -> Result<[String: JSONValue], TaskRunError> {
        var predecessorOutputs: [String: JSONValue] = [:]
        for predecessor in plan.graph.predecessors(of: run.taskID) {
            // A timer produces no output: it is absent from its successors' predecessor_outputs (pyflow TimerTask).
            if case .timer = plan.tasks[predecessor]?.kind { continue }
            let shared = min(plan.sharedLevels(run.taskID, predecessor), run.replicaPath.count)
            switch gathered(predecessor, prefix: Array(run.replicaPath[..<shared]), outputs: outputs, view: view) {
            case .success(let value): predecessorOutputs[predecessor] = value
            case .failure(let error): return .failure(error)
            }
        }
        var input: [String: JSONValue] = [
            "predecessor_outputs": .object(predecessorOutputs),
            "static_input": plan.tasks[run.taskID]?.properties.staticInput ?? .object([:]),
        ]
        if let launchInput, !launchInput.isNull { input["launch_input"] = launchInput }
        return .success(input)
    }

    /// The output of the one run of `task` at `prefix`, or the nested lists (replica order) of its deeper replicas.
    private func gathered(_ task: String, prefix: [Int], outputs: [String: JSONValue], view: some LaunchView) -> Result<JSONValue, TaskRunError> {
        let chain = plan.chain(task)
        if prefix.count == chain.count {
            let name = ReplicaName.name(task: task, path: prefix)
            guard let output = outputs[name] else {
                return .failure(TaskRunError(code: .missingPredecessorOutput, message: "the output of predecessor run \(name) is missing"))
            }
            return .success(output)
        }
        guard let count = plan.levelCount(chain[prefix.count], outer: prefix, in: view) else {
            return .failure(TaskRunError(code: .missingPredecessorOutput,
                message: "the replicas of task \(task) under \(ReplicaName.name(task: task, path: prefix)) are not known yet"))
        }
        var items: [JSONValue] = []
        items.reserveCapacity(count)
        for index in 0..<count {
            switch gathered(task, prefix: prefix + [index], outputs: outputs, view: view) {
            case .success(let value): items.append(value)
            case .failure(let error): return .failure(error)
            }
        }
        return .success(.array(items))
    }

    private func scatterList(_ expression: Expression, input: [String: JSONValue], taskID: String) -> Result<[JSONValue], TaskRunError> {
        let value: JSONValue
        do {
            value = try expression.evaluate(input)
        } catch {
            return .failure(TaskRunError(code: .scatterFailed, message: "scatter of task \(taskID) could not be evaluated: \(error.description) in \(expression.source)"))
        }
        guard case .array(let items) = value else {
            return .failure(TaskRunError(code: .scatterNotList,
                message: "scatter of task \(taskID) must give a list, but \(expression.source) gave \(value.typeName == "object" ? "a dict" : "a \(value.typeName)")"))
        }
        guard items.count <= ModelLimits.maxScatterWidth else {
            return .failure(TaskRunError(code: .scatterFailed,
                message: "scatter of task \(taskID) gave \(items.count) elements, more than the limit of \(ModelLimits.maxScatterWidth)"))
        }
        return .success(items)
    }

    /// A replica's input: the scattered path replaced by its element (SWEEP example 2), or, when the scatter
    /// expression is not a plain path, the element under `scatter_element`.
    static func scattering(_ element: JSONValue, over expression: Expression, in input: [String: JSONValue]) -> [String: JSONValue] {
        var result = input
        if let path = expression.subscriptPath, let root = input[path.root],
           let replaced = replacing(in: root, keys: path.keys[...], with: element) {
            result[path.root] = replaced
        } else {
            result["scatter_element"] = element
        }
        return result
    }

    private static func replacing(in value: JSONValue, keys: ArraySlice<JSONValue>, with element: JSONValue) -> JSONValue? {
        guard let key = keys.first else { return element }
        switch (value, key) {
        case (.object(var object), .string(let name)):
            guard let child = object[name], let replaced = replacing(in: child, keys: keys.dropFirst(), with: element) else { return nil }
            object[name] = replaced
            return .object(object)
        case (.array(var array), .int(let position)):
            // Python indexing: a negative index counts from the end.
            let index = position < 0 ? array.count + Int(position) : Int(position)
            guard array.indices.contains(index), let replaced = replacing(in: array[index], keys: keys.dropFirst(), with: element) else { return nil }
            array[index] = replaced
            return .array(array)
        default:
            return nil
        }
    }
}
