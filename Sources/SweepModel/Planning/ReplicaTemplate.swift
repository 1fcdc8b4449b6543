import SweepJSON

/// The inputs of the replicas of one scatter at one outer path, planned once: every replica's input is the same
/// JSON but for the scattered element, so it is kept as bytes around that element's place and a replica's input
/// is `prefix + element + suffix`. Preparing each of 20,000 replicas through `Planner.prepare` (a dictionary tree
/// per replica, then serialised) cost a wide expansion as much scheduler CPU as claiming and completing its runs.
///
/// Only tasks whose preparation does not look at the element have one (`Planner.replicaTemplate`): no deploy
/// conditions, no static_output expression, no transform_input, no container command or environment, no files.
/// What `prepare` would still check per replica (nesting depth, size, NUL characters) `accepts` checks on the
/// element; a replica it refuses goes through `prepare`, which gives the exact error.
public struct ReplicaTemplate: Sendable {
    /// What every replica runs with but its input: no environment, command or files; the task's static output
    /// and runtime.
    public let shared: RunInput
    let list: [JSONValue]
    let prefix: [UInt8]
    let suffix: [UInt8]
    /// The nesting depth of the input with a string in the element's place: with an element of depth d, the
    /// replica's input nests at most `depth + d` deep.
    let depth: Int
    /// The stored input leaves out `launch_input` (the launch's input, unchanged: `Planner.storedInput`), which
    /// readers splice back; its bytes still count towards `ModelLimits.maxRunInputBytes` (`omittedBytes`).
    public let splicesLaunchInput: Bool
    let omittedBytes: Int

    /// The element's place while the template is serialised: NUL characters, which no stored input can hold, so
    /// it cannot occur anywhere else in the bytes.
    static let placeholder = "\u{0}sweep:replica-element\u{0}"

    /// `input` is the replicas' input with the placeholder; `stored`, what is stored of it when that leaves out the
    /// launch's input.
    init?(shared: RunInput, list: [JSONValue], input: JSONValue, stored: JSONValue? = nil) {
        let bytes = (stored ?? input).jsonBytes
        var mark: [UInt8] = []
        JSONValue.writeEscaped(Self.placeholder, to: &mark)
        guard let start = bytes.firstIndex(ofSubsequence: mark) else { return nil }
        self.shared = shared
        self.list = list
        prefix = Array(bytes[..<start])
        suffix = Array(bytes[(start + mark.count)...])
        guard !suffix.contains(subsequence: mark) else { return nil }
        depth = input.nestingDepth
        splicesLaunchInput = stored != nil
        omittedBytes = stored == nil ? 0 : input.jsonBytes.count - bytes.count
    }

    /// Whether replica `index`'s input can be stamped: its element exists and passes the checks of `prepare`
    /// (`Planner.checkStorable`, no NUL character).
    public func accepts(replica index: Int) -> Bool {
        guard list.indices.contains(index) else { return false }
        let element = list[index]
        guard depth + element.nestingDepth <= JSONParser.defaultMaxDepth, element.pointerToNUL == nil else { return false }
        let limit = ModelLimits.maxRunInputBytes - prefix.count - suffix.count - omittedBytes
        return limit >= 0 && element.serializedSize(upTo: limit) <= limit
    }

    /// Appends replica `index`'s input (JSON, as stored: see `splicesLaunchInput`) to `out`; call only when
    /// `accepts(replica:)` said yes.
    public func writeInput(replica index: Int, to out: inout [UInt8]) {
        out.append(contentsOf: prefix)
        list[index].write(to: &out)
        out.append(contentsOf: suffix)
    }
}

extension Planner {
    /// The template of the replicas of `run`'s scatter at `run`'s outer path, built from `run` (a replica whose
    /// predecessors all succeeded; `predecessors` their records), or nil when its task's preparation depends on the
    /// element (see `ReplicaTemplate`) or `run` cannot execute. `run`'s own input is planned by `prepare` too and
    /// must come out of the template byte for byte, so a template never differs from what `prepare` gives.
    /// Valid for the replicas at the same outer path with the same predecessors.
    public func replicaTemplate(for run: RunSpec, predecessors: [RunRecord], launchInput: JSONValue?, in view: some LaunchView,
                                memo: ScatterMemo) -> ReplicaTemplate? {
        guard run.kind == .task, let index = run.replicaPath.last, let task = plan.tasks[run.taskID],
              case .scatter(let expression) = task.properties.replication, plan.chain(run.taskID).count == run.replicaPath.count,
              task.properties.deployConditions.isEmpty, task.properties.semantics.transformInput == nil,
              !task.isContainerTask, task.properties.files.isEmpty
        else { return nil }
        if case .expression? = task.properties.staticOutput { return nil }
        // The predecessors' outputs must be the same for every replica: none of them shares the scattered level.
        guard plan.graph.predecessors(of: run.taskID).allSatisfy({ plan.sharedLevels(run.taskID, $0) < run.replicaPath.count })
        else { return nil }
        guard case .execute(let reference) = prepare(run, predecessors: predecessors, launchInput: launchInput, in: view, memo: memo),
              reference.environment == nil, reference.command == nil, reference.files == nil,
              let list = memo.lists[ScatterMemo.key(taskID: run.taskID, outerPath: run.replicaPath.dropLast())]
        else { return nil }
        var outputs: [String: JSONValue] = [:]
        for record in predecessors { outputs[record.name] = record.output }
        guard case .success(var input) = taskInput(run, outputs: outputs, launchInput: launchInput, view: view) else { return nil }
        Self.gatherChildren(predecessors, plan: plan, into: &input)
        let marked = JSONValue.object(Self.scattering(.string(ReplicaTemplate.placeholder), over: expression, in: input))
        // A scatter over a predecessor's output leaves the launch input as it is: stored without it.
        let stored = Self.leavingOutLaunchInput(marked, launchInput: launchInput)
        guard let template = ReplicaTemplate(shared: reference, list: list, input: marked, stored: stored), template.accepts(replica: index)
        else { return nil }
        var stamped: [UInt8] = []
        template.writeInput(replica: index, to: &stamped)
        let expected = stored == nil ? reference.input : Self.leavingOutLaunchInput(reference.input, launchInput: launchInput)
        return stamped == expected?.jsonBytes ? template : nil
    }
}
