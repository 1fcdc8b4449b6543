import ArgumentParser
import SweepJSON
import SweepStates

/// `sweep rm LAUNCH ...` or `sweep rm --all [--state S] [--workflow W]`: delete ended launches with their runs,
/// events and logs (ColonyOS `workflow remove` / `removeall`). Waiting and running launches are never deleted.
struct RemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm", abstract: "Delete ended launches (their runs, events and logs go with them).",
        discussion: "sweep rm LAUNCH...: those launches (each must have ended). sweep rm --all [--state failed] [--workflow W]: every ended launch matching.")

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("Launch ids.", valueName: "launch"))
    var launches: [String] = []

    @Flag(help: "Delete every ended launch matching --state and --workflow.")
    var all = false

    @Option(help: ArgumentHelp("With --all: only launches in this state (succeeded, failed, cancelled).", valueName: "state"))
    var state: String?

    @Option(help: ArgumentHelp("With --all: only launches of this workflow.", valueName: "workflow"))
    var workflow: String?

    func validate() throws {
        if all != launches.isEmpty { throw ValidationError("name launches to delete, or give --all (not both)") }
        if !all, state != nil || workflow != nil { throw ValidationError("--state and --workflow go with --all") }
        if let state, !LaunchState.isTerminal(state) {
            throw ValidationError("--state must be one of \(LaunchState.terminal.map(\.rawValue).joined(separator: ", ")) (running launches are never deleted)")
        }
    }

    func run() throws {
        let client = try options.client()
        guard all else {
            for launch in launches {
                _ = try client.request(.delete, ["launches", launch])
                if !options.json { print("Deleted launch \(launch).") }
            }
            if options.json { print(JSONValue.object(["deleted": .int(Int64(launches.count))]).prettyString) }
            return
        }
        // The server deletes in batches for a bounded time per request and says when more are left.
        var deleted: Int64 = 0
        while true {
            let answer = try client.request(.delete, ["launches"], query: [("state", state), ("workflow_id", workflow)])
            deleted += answer?["deleted"]?.intValue ?? 0
            if answer?["more"]?.boolValue != true { break }
        }
        options.emit(["deleted": .int(deleted)]) { "Deleted \(deleted) launch\(deleted == 1 ? "" : "es")." }
    }
}
