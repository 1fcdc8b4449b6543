import Postgres
import SweepJSON
import SweepModel

/// The `$rows` parameter of `TaskRunSQL.insertRuns` (a JSON array of records), written straight into bytes: a
/// dictionary per run, sorted and serialised, was a large share of a wide expansion's scheduler CPU. Keys follow
/// the statement's record definition (name, task_id, kind, path, preds, succs, delay, waiting, then what a ready run
/// adds: input, exec or shared_exec, static_output, throttled).
struct RunRows {
    private(set) var bytes: [UInt8]
    private var count = 0

    init(capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity)
        bytes.append(UInt8(ascii: "["))
    }

    /// Opens the record of `spec`, `waiting` of whose predecessors have not succeeded, stored with `successors`.
    mutating func begin(_ spec: RunSpec, waiting: Int, successors: [String] = []) {
        if count > 0 { bytes.append(UInt8(ascii: ",")) }
        count += 1
        append("{\"name\":")
        JSONValue.writeEscaped(spec.name, to: &bytes)
        append(",\"task_id\":")
        JSONValue.writeEscaped(spec.taskID, to: &bytes)
        append(",\"kind\":")
        JSONValue.writeEscaped(spec.kind.rawValue, to: &bytes)
        append(",\"path\":[")
        for (index, level) in spec.replicaPath.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            Self.appendInt(level, to: &bytes)
        }
        append("],\"preds\":")
        appendNames(spec.predecessors)
        append(",\"succs\":")
        appendNames(successors)
        append(",\"delay\":")
        Self.appendInt(spec.delaySeconds, to: &bytes)
        append(",\"waiting\":")
        Self.appendInt(waiting, to: &bytes)
    }

    /// A JSON array of run names.
    private mutating func appendNames(_ names: [String]) {
        bytes.append(UInt8(ascii: "["))
        for (index, name) in names.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            JSONValue.writeEscaped(name, to: &bytes)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// Adds `"key": value` to the open record.
    mutating func field(_ key: String, _ value: JSONValue) {
        bytes.append(UInt8(ascii: ","))
        JSONValue.writeEscaped(key, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        value.write(to: &bytes)
    }

    /// Adds `"key": <what write appends>` to the open record.
    mutating func field(_ key: String, writing write: (inout [UInt8]) -> Void) {
        bytes.append(UInt8(ascii: ","))
        JSONValue.writeEscaped(key, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        write(&bytes)
    }

    mutating func end() {
        bytes.append(UInt8(ascii: "}"))
    }

    /// The array, closed, as a parameter.
    var bind: JSONText {
        var closed = bytes
        closed.append(UInt8(ascii: "]"))
        return JSONText(closed)
    }

    private mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    private static func appendInt(_ value: Int, to out: inout [UInt8]) {
        JSONValue.writeInt(Int64(value), to: &out)
    }
}
