import SweepJSON

/// What of a run's input is stored. A run's input holds the whole launch input under `launch_input` (a follower of a
/// 3,000-element launch input, ~15 kB); the launch's row holds it already, so a run whose `launch_input` is the
/// launch input unchanged is stored without it, and every reader of runs adds it back (SweepStore's `RunInputSQL`).
extension Planner {
    /// `runInput`'s input without `launch_input` when that member is `launchInput` itself; nil when the input is
    /// stored whole: the launch has no input, the task computes its input (`transform_input`: its value is the
    /// task's own, whatever members it has), or `launch_input` differs (a replica of a scatter over the launch input
    /// holds its element there; a list never equals one of its elements, so equality cannot mistake one for it).
    public func storedInput(_ runInput: RunInput, taskID: String, launchInput: JSONValue?) -> JSONValue? {
        guard plan.tasks[taskID]?.properties.semantics.transformInput == nil else { return nil }
        return Self.leavingOutLaunchInput(runInput.input, launchInput: launchInput)
    }

    /// `input` (a standard task input) without `launch_input` when that member is `launchInput`; nil otherwise.
    static func leavingOutLaunchInput(_ input: JSONValue, launchInput: JSONValue?) -> JSONValue? {
        guard let launchInput, !launchInput.isNull, case .object(var members) = input, members["launch_input"] == launchInput
        else { return nil }
        members["launch_input"] = nil
        return .object(members)
    }
}
