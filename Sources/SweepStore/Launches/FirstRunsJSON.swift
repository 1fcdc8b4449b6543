import Postgres
import SweepJSON

/// A launch status's `tasks` (API.md's task run shape) written from the cells of `LaunchStatusQuery.firstRuns`
/// in place: its JSON parts (input, output, edges, the task's label, description and type) are JSON text from
/// PostgreSQL and its timestamps are already RFC 3339, so nothing is parsed and no String is made per cell.
/// PostgreSQL's own json_build_object cost about 0.7 us of CPU per key (8 ms for 1,000 runs); this is about 1.
enum FirstRunsJSON {
    /// Select-list positions of `LaunchStatusQuery.firstRuns`.
    enum Column: Int {
        case name, taskID, state, attempt, input, output, error, createdAt, startedAt, finishedAt, predecessors, successors, extra
    }

    /// Member names in the answer, each with its column and how the cell is written.
    private static let members: [(key: [UInt8], column: Column, kind: Kind)] = [
        (Array(#""run_id":"#.utf8), .name, .string), (Array(#","task_id":"#.utf8), .taskID, .string),
        (Array(#","state":"#.utf8), .state, .string), (Array(#","attempt":"#.utf8), .attempt, .json),
        (Array(#","input":"#.utf8), .input, .json), (Array(#","output":"#.utf8), .output, .json),
        (Array(#","error":"#.utf8), .error, .string), (Array(#","created_at":"#.utf8), .createdAt, .string),
        (Array(#","started_at":"#.utf8), .startedAt, .string), (Array(#","finished_at":"#.utf8), .finishedAt, .string),
        (Array(#","predecessors":"#.utf8), .predecessors, .json), (Array(#","successors":"#.utf8), .successors, .json),
    ]

    private enum Kind { case string, json }

    private static let null = Array("null".utf8)

    /// The first `limit` rows as a JSON array.
    static func write(_ rows: PostgresRows, limit: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(min(rows.count, limit) * 512)
        out.append(UInt8(ascii: "["))
        for (i, row) in rows.prefix(limit).enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "{"))
            for member in members {
                out += member.key
                row.withBytes(at: member.column.rawValue) { bytes in
                    guard let bytes else { return out += null }
                    switch member.kind {
                    case .string: JSONValue.writeEscaped(utf8: bytes, to: &out)
                    case .json: out += bytes
                    }
                }
            }
            // The task's label, description and type: the members of a JSON object, spliced without its braces.
            row.withBytes(at: Column.extra.rawValue) { bytes in
                guard let bytes, bytes.count > 2 else { return }
                out.append(UInt8(ascii: ","))
                out += bytes[1..<(bytes.count - 1)]
            }
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
        return out
    }
}
