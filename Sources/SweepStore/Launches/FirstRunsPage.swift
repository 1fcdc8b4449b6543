import Postgres

/// The first runs of a launch's status as `LaunchStatusQuery.firstRuns` read them, written as a JSON array into the
/// caller's buffer (`FirstRunsJSON`), so the status is one buffer rather than a copy of this page's half megabyte.
/// Holds the query's result: write it inside the transaction that read it.
public struct FirstRunsPage {
    let rows: PostgresRows.SubSequence
    let edges: [(predecessors: [String], successors: [String])]
    let hidden: Set<String>
    let taskTexts: [String: [UInt8]]
    /// More runs exist than the page lists (`tasks_truncated`).
    public let truncated: Bool

    /// A guess of the JSON's size, to reserve room for it (runs of a large launch write about 460 bytes each).
    public var estimatedBytes: Int { rows.count * 512 + 2 }

    public func write(to out: inout [UInt8]) {
        FirstRunsJSON.write(rows, edges: edges, hidden: hidden, taskTexts: taskTexts, to: &out)
    }

    /// The JSON array on its own.
    public var json: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(estimatedBytes)
        write(to: &out)
        return out
    }
}
