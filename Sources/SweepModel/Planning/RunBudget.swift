/// How many runs a launch can create, counted before any of them exists, so a plan of 10^8 runs is refused at
/// registration (and again at launch) instead of being built in a request. Static counts take a scatter's width as
/// one (it is not known before the launch runs); the planner checks the real width when the scatter expands
/// (`Planner.prepare`), against the same limit.
public struct RunBudget: Sendable, Hashable {
    /// Runs (replicas, scatter gates and plain runs together) one launch may create unless a user's limit says
    /// otherwise (`SWEEP_LIMIT_REPLICAS_PER_LAUNCH`).
    public static let defaultMaxRuns = 100_000

    public var maxRuns: Int

    public init(maxRuns: Int = defaultMaxRuns) { self.maxRuns = maxRuns }

    /// Runs each task contributes, counting every scatter as width one; saturates at `Int.max`.
    static func staticRuns(_ plan: ReplicationPlan) -> [(task: String, runs: Int)] {
        plan.order.map { id in
            let chain = plan.chain(id)
            var runs = product(chain[...], plan)
            if case .scatter = plan.replication(id) { runs = add(runs, product(chain.dropLast(), plan)) }  // its gates
            return (id, runs)
        }
    }

    /// Runs that one replica of `owner`'s level brings with it: every run of every task whose chain passes through
    /// `owner`, per index of that level.
    static func runsPerReplica(of owner: String, _ plan: ReplicationPlan) -> Int {
        var total = 0
        for id in plan.order {
            let chain = plan.chain(id)
            guard let position = chain.firstIndex(of: owner) else { continue }
            total = add(total, product(chain[(position + 1)...], plan))
        }
        return max(total, 1)
    }

    /// The product of the static widths of these levels (a multiplicity's n, one for a scatter).
    static func product(_ levels: ArraySlice<String>, _ plan: ReplicationPlan) -> Int {
        var result = 1
        for level in levels {
            if case .multiplicity(let n) = plan.replication(level) { result = multiply(result, n) }
        }
        return result
    }

    static func multiply(_ a: Int, _ b: Int) -> Int {
        let (value, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? .max : value
    }

    static func add(_ a: Int, _ b: Int) -> Int {
        let (value, overflow) = a.addingReportingOverflow(b)
        return overflow ? .max : value
    }
}

extension Planner {
    /// The runs a launch of this workflow creates when every scatter has width one: a lower bound that is exact
    /// for workflows without scatter.
    public var staticRunCount: Int {
        RunBudget.staticRuns(plan).reduce(0) { RunBudget.add($0, $1.runs) }
    }

    /// A 422 naming the limit when the static count is over it, pointing at the task that contributes most runs
    /// (its `multiplicity`, or its `follow` when the multiplying happens upstream).
    public func checkStaticRuns(_ budget: RunBudget) -> ValidationError? {
        let counts = RunBudget.staticRuns(plan)
        let total = counts.reduce(0) { RunBudget.add($0, $1.runs) }
        guard total > budget.maxRuns, let worst = counts.max(by: { $0.runs < $1.runs }) else { return nil }
        let index = workflow.tasks.firstIndex { $0.id == worst.task } ?? 0
        let properties = plan.tasks[worst.task]!.properties
        let key = switch properties.replication {
        case .multiplicity: "/properties/multiplicity"
        case .scatter: "/properties/scatter"
        case .none: properties.follow != nil ? "/properties/follow" : ""
        }
        let shown = total == .max ? "more than \(Int.max)" : "\(total)"
        return ValidationError(field: "/tasks/\(index)" + key, code: .tooManyRuns,
            message: "a launch of this workflow would create \(shown) runs (\(worst.runs) by task \(worst.task)); the limit (replicas per launch) is \(budget.maxRuns)")
    }

    /// The dynamic check at a scatter's expansion: this gate's width times the runs each replica brings, times the
    /// replicas of the levels around it (known by now), must stay within the budget.
    func checkExpansion(of taskID: String, at outerPath: [Int], width: Int, in view: some LaunchView) -> TaskRunError? {
        let chain = plan.chain(taskID)
        var estimate = RunBudget.multiply(width, RunBudget.runsPerReplica(of: taskID, plan))
        for (level, prefixLength) in zip(chain.dropLast(), 0...) {
            let count = plan.levelCount(level, outer: Array(outerPath.prefix(prefixLength)), in: view) ?? 1
            estimate = RunBudget.multiply(estimate, max(count, 1))
        }
        guard estimate > budget.maxRuns else { return nil }
        return TaskRunError(code: .tooManyRuns,
            message: "scatter of task \(taskID) gave \(width) elements, which would make about \(estimate) runs; the limit (replicas per launch) is \(budget.maxRuns)")
    }
}
