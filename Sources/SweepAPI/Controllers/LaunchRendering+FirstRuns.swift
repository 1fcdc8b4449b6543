import SweepJSON
import SweepStore

extension LaunchRendering {
    /// A status's `tasks`: the first runs as a JSON array (API.md's task run shape), their JSON parts spliced in
    /// as the database wrote them. Byte appends only: about 1 ms for 1,000 runs in a release build.
    static func firstRuns(_ runs: [ListedRun]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(runs.reduce(2) { $0 + 200 + $1.inputJSON.utf8.count + $1.outputJSON.utf8.count })
        out.append(UInt8(ascii: "["))
        for (i, run) in runs.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out += #"{"run_id":"#.utf8
            JSONValue.writeEscaped(run.name, to: &out)
            out += #","task_id":"#.utf8
            JSONValue.writeEscaped(run.taskID, to: &out)
            out += #","state":"#.utf8
            JSONValue.writeEscaped(run.state, to: &out)
            out += #","attempt":"#.utf8
            out += String(run.attempt).utf8
            out += #","input":"#.utf8
            out += run.inputJSON.utf8
            out += #","output":"#.utf8
            out += run.outputJSON.utf8
            out += #","error":"#.utf8
            optionalString(run.error, to: &out)
            out += #","created_at":"#.utf8
            optionalString(run.createdAt, to: &out)
            out += #","started_at":"#.utf8
            optionalString(run.startedAt, to: &out)
            out += #","finished_at":"#.utf8
            optionalString(run.finishedAt, to: &out)
            out += #","predecessors":"#.utf8
            out += run.predecessorsJSON.utf8
            out += #","successors":"#.utf8
            out += run.successorsJSON.utf8
            // The task's label, description and type: the members of a JSON object, spliced without its braces.
            if let extra = run.extraJSON?.utf8, extra.count > 2 {
                out.append(UInt8(ascii: ","))
                out += extra.dropFirst().dropLast()
            }
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
        return out
    }

    private static func optionalString(_ text: String?, to out: inout [UInt8]) {
        if let text { JSONValue.writeEscaped(text, to: &out) } else { out += "null".utf8 }
    }
}
