import SweepModel

/// The replica templates of one batch of inserted runs (`LaunchProgression.insert`): a template holds for the
/// replicas of one task at one outer path with the same predecessors, which a spec list keeps together, so only
/// the last one is kept. A scatter without a template is asked once, not once per replica.
struct ReplicaTemplates {
    private var taskID = ""
    private var outerPath: ArraySlice<Int> = []
    private var predecessors: [String] = []
    private var current: ReplicaTemplate?
    private var known = false

    /// The template for `spec`'s replica, planned by `planning` when `spec` is the first of its scatter here.
    mutating func template(for spec: RunSpec, planning: () -> ReplicaTemplate?) -> ReplicaTemplate? {
        let outer = spec.replicaPath.dropLast()
        if known, spec.taskID == taskID, outer == outerPath, spec.predecessors == predecessors { return current }
        taskID = spec.taskID
        outerPath = outer
        predecessors = spec.predecessors
        current = planning()
        known = true
        return current
    }
}
