import Postgres
import SweepJSON

/// A launch status's `tasks` (API.md's task run shape) written from the cells of `LaunchStatusQuery.firstRuns`
/// in place: input and output are JSON text from PostgreSQL, timestamps its ISO text rewritten to RFC 3339
/// (`PostgresTimestampText`), so nothing is parsed and no String is made per cell but the edges' names.
/// PostgreSQL's own json_build_object cost about 0.7 us of CPU per key (8 ms for 1,000 runs); this is about 1.
enum FirstRunsJSON {
    /// Select-list positions of `LaunchStatusQuery.firstRuns`.
    enum Column: Int {
        case name, taskID, state, attempt, input, output, error, createdAt, startedAt, finishedAt, predecessors, successors, readyAt
    }

    /// Member names in the answer before the edges, each with its column and how the cell is written.
    private static let members: [(key: [UInt8], column: Column, kind: Kind)] = [
        (Array(#""run_id":"#.utf8), .name, .string), (Array(#","task_id":"#.utf8), .taskID, .string),
        (Array(#","state":"#.utf8), .state, .string), (Array(#","attempt":"#.utf8), .attempt, .json),
        (Array(#","input":"#.utf8), .input, .json), (Array(#","output":"#.utf8), .output, .json),
        (Array(#","error":"#.utf8), .error, .string), (Array(#","created_at":"#.utf8), .createdAt, .timestamp),
        (Array(#","started_at":"#.utf8), .startedAt, .timestamp), (Array(#","finished_at":"#.utf8), .finishedAt, .timestamp),
        (Array(#","ready_at":"#.utf8), .readyAt, .timestamp),
    ]

    private enum Kind { case string, json, timestamp }

    private static let null = Array("null".utf8)
    private static let predecessorsKey = Array(#","predecessors":"#.utf8)
    private static let successorsKey = Array(#","successors":"#.utf8)

    /// `rows` as a JSON array, appended to `out`; `edges` are their decoded predecessors and successors, in the same order, written
    /// without the names in `hidden`; `taskTexts` (task id to a JSON object's text) adds members to that task's runs.
    static func write(_ rows: some Collection<PostgresRow>, edges: [(predecessors: [String], successors: [String])],
                      hidden: Set<String>, taskTexts: [String: [UInt8]], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        for (i, row) in rows.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "{"))
            for member in members {
                out += member.key
                row.withBytes(at: member.column.rawValue) { bytes in
                    guard let bytes else { return out += null }
                    switch member.kind {
                    case .string: JSONValue.writeEscaped(utf8: bytes, to: &out)
                    case .json: out += bytes
                    case .timestamp: writeTimestamp(bytes, to: &out)
                    }
                }
            }
            out += predecessorsKey
            writeNames(edges[i].predecessors, without: hidden, to: &out)
            out += successorsKey
            writeNames(edges[i].successors, without: hidden, to: &out)
            // The task's label, description and type: the members of a JSON object, spliced without its braces.
            if !taskTexts.isEmpty, let extra = row.withBytes(at: Column.taskID.rawValue, { $0.map { taskTexts[String(decoding: $0, as: UTF8.self)] } }),
               let extra, extra.count > 2 {
                out.append(UInt8(ascii: ","))
                out += extra[1..<(extra.count - 1)]
            }
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
    }

    private static func writeTimestamp(_ cell: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        if PostgresTimestampText.appendRFC3339(cell, to: &out) { return out.append(UInt8(ascii: "\"")) }
        out.removeLast()
        if let text = PostgresTimestampText.rfc3339(parsing: cell) {
            JSONValue.writeEscaped(text, to: &out)
        } else {
            out += null
        }
    }

    /// A JSON array of run names (array_to_json's text for them: no spaces), leaving out `hidden` ones.
    private static func writeNames(_ names: [String], without hidden: Set<String>, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        var first = true
        for name in names where hidden.isEmpty || !hidden.contains(name) {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            JSONValue.writeEscaped(name, to: &out)
        }
        out.append(UInt8(ascii: "]"))
    }
}
