/// A view with one gate's count forced, to compare the runs that exist before and after that gate expands.
struct OverridingView<Base: LaunchView>: LaunchView {
    let base: Base
    let taskID: String
    let outerPath: [Int]
    let count: Int?

    func replicaCount(ofTask taskID: String, outerPath: [Int]) -> Int? {
        if taskID == self.taskID, outerPath == self.outerPath { return count }
        return base.replicaCount(ofTask: taskID, outerPath: outerPath)
    }
}
