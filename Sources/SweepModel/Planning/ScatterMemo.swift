import SweepJSON

/// Scatter lists already evaluated, keyed by task and outer replica path. All replicas of one scatter share the
/// same input, so preparing a batch of them evaluates the expression once instead of once per replica (which made
/// a wide scatter quadratic). A memo lives for one batch of preparations; it is not shared across threads.
public final class ScatterMemo {
    var lists: [String: [JSONValue]] = [:]

    public init() {}

    static func key(taskID: String, outerPath: ArraySlice<Int>) -> String {
        taskID + "|" + outerPath.map(String.init).joined(separator: ",")
    }
}
