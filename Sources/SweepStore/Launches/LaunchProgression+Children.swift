import Postgres
import SweepJSON
import SweepModel

extension LaunchProgression {
    /// Adds children of running run `parent` (ColonyOS `add_child`): runs named `children` (each also its task id)
    /// that wait on `parent` and execute what `execs` resolved, and, with `before`, makes that pending run wait
    /// for them too and gather their outputs. Counted like planned runs (`insert`). Returns false, changing
    /// nothing more, when `before` is not a pending run of the launch; the caller rolls back.
    public func addChildren(parent: String, children: [(name: String, exec: JSONValue)], before: String?) throws -> Bool {
        let names = children.map(\.name)
        if let before {
            let attached = try connection.query(TaskRunSQL.waitAlsoFor.query([
                "launch": launch.id.postgresBind, "before": before.postgresBind, "names": names.postgresBind,
            ]))
            guard !attached.isEmpty else { return false }
        }
        try insert(children.map { RunSpec(name: $0.name, taskID: $0.name, replicaPath: [], kind: .task, predecessors: [parent]) })
        var execs: [String: JSONValue] = [:]
        for child in children { execs[child.name] = child.exec }
        try connection.execute(TaskRunSQL.setPendingExec.query(["launch": launch.id.postgresBind, "rows": JSONValue.object(execs).postgresBind]))
        if let before {
            var links: [String: JSONValue] = [:]
            for name in names { links[name] = [.string(before)] }
            try connection.execute(TaskRunSQL.linkSuccessors.query(["launch": launch.id.postgresBind, "links": JSONValue.object(links).postgresBind]))
        }
        return true
    }
}
