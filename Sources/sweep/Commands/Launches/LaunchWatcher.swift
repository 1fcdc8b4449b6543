import Foundation
import HTTPClient
import SweepJSON
import SweepStates

/// Follows a launch's event stream until the launch ends, reconnecting with `Last-Event-ID` after a drop. On a
/// terminal it draws one progress bar per task (finished runs / runs of that task, from the status's
/// `task_counts`, so a 100,000-replica task is one line) and a total, under one line per task state change; otherwise it prints plain lines `<time> <event> <run_id> <state>`, or with `--json` one event
/// object per line. Ends with exit 0 if the launch succeeded, 1 (as a CLIError) if it failed or was cancelled.
final class LaunchWatcher {
    static let finishedRunStates: Set<String> = Set(RunState.allCases.filter(\.isFinished).map(\.rawValue))
    /// Above the server's heartbeat interval: silence this long means the connection is dead.
    static let idleTimeout: Duration = .seconds(45)
    static let maxConsecutiveFailures = 8

    let client: APIClient
    let launchID: String
    let json: Bool
    let interactive: Bool
    private var lastEventID: String?
    private var outcome: String?
    private var finished = 0
    private var total = 0
    private var lastRefresh = Date.distantPast
    private var barShown = false
    /// Per task: finished and total runs, in task order.
    private var taskBars: [(task: String, finished: Int, total: Int)] = []
    /// Lines of the bar block currently on screen (redrawn in place).
    private var barLines = 0
    /// Tasks drawn at most; the rest are summed on one line.
    static let maxTaskBars = 12

    init(client: APIClient, launchID: String, json: Bool) {
        self.client = client
        self.launchID = launchID
        self.json = json
        interactive = !json && Terminal.isInteractiveOutput
    }

    func run() throws(CLIError) {
        let initial = try client.get("launches", launchID)
        updateProgress(from: initial)
        if LaunchStatus.isTerminal(initial) {
            // Already over: the event history as a list, then the verdict (no stream to wait on).
            let history = try client.get("launches", launchID, "events")
            for event in history.arrayValue ?? history["items"]?.arrayValue ?? [] {
                show(type: event["event"]?.stringValue ?? event["type"]?.stringValue ?? "event",
                     id: event["id"]?.cellText, data: event["data"] ?? event)
            }
            outcome = initial["state"]?.stringValue
        }
        var failures = 0
        while outcome == nil {
            var parser = SSEParser()
            var headers: [(name: String, value: String)] = [("Accept", "text/event-stream"), ("Cache-Control", "no-cache")]
            if let lastEventID { headers.append(("Last-Event-ID", lastEventID)) }
            do {
                _ = try client.stream(["launches", launchID, "events"], headers: headers,
                                      idleTimeout: LaunchWatcher.idleTimeout) { chunk in
                    for event in parser.feed(chunk) {
                        failures = 0
                        handle(event)
                        if outcome != nil { return false }
                    }
                    return true
                }
            } catch let error as CLIError {
                throw error
            } catch let error as HTTPClientError {
                failures += 1
                if failures >= LaunchWatcher.maxConsecutiveFailures {
                    throw CLIError(transport: error, url: client.baseURL)
                }
            } catch {
                throw CLIError(.serverError, "\(error)")
            }
            if outcome != nil {
                // A re-run re-opens an ended launch: its stream holds the old end, then `launch.rerun` and the new
                // events. Only a launch that is still over ends the watch; otherwise resume after that end.
                let status = try client.get("launches", launchID)
                outcome = nil
                if LaunchStatus.isTerminal(status) {
                    // Over again by now: show what came after the end seen (a re-run that also ended), then the
                    // status's verdict.
                    if let lastEventID {
                        for event in try client.list("launches", launchID, "events", query: [("after", lastEventID)])["items"]?.arrayValue ?? [] {
                            show(type: event["event"]?.stringValue ?? "event", id: event["id"]?.cellText, data: event["data"] ?? event)
                        }
                    }
                    outcome = status["state"]?.stringValue
                    break
                }
                continue
            }
            // The stream ended or dropped without the launch ending: ask, then resume where we left off.
            let status = try client.get("launches", launchID)
            updateProgress(from: status)
            if LaunchStatus.isTerminal(status) {
                outcome = status["state"]?.stringValue
            } else {
                Thread.sleep(forTimeInterval: min(0.25 * Double(1 << min(failures, 4)), 4))
            }
        }
        if interactive { drawBar(final: true) }
        let state = outcome ?? "unknown"
        if state != LaunchState.succeeded.rawValue { throw CLIError(.launchFailed, "launch \(launchID) \(state)") }
    }

    private func handle(_ event: SSEParser.Event) {
        if let id = event.id { lastEventID = id }
        let type = event.event ?? "message"
        let data = (try? JSONParser.parse(event.data)) ?? .string(event.data)
        show(type: type, id: event.id, data: data)
        if let ended = EventType(rawValue: type)?.endedLaunchState { outcome = ended.rawValue }
    }

    private func show(type: String, id: String?, data: JSONValue) {
        if json {
            var object: [String: JSONValue] = ["event": .string(type), "data": data]
            if let id { object["id"] = .string(id) }
            print(JSONValue.object(object).jsonString)
            Terminal.flush()
            return
        }
        let time = data["ts"]?.stringValue ?? LaunchWatcher.now()
        let run = data["run_id"]?.stringValue ?? "-"
        let state = data["state"]?.stringValue ?? String(type.split(separator: ".").last ?? "")
        guard interactive else {
            print("\(time) \(type) \(run) \(state)")
            Terminal.flush()
            return
        }
        if type.hasPrefix("task.") || type.hasPrefix("launch.") {
            // A straight GET per event would flood the API on wide scatters: refresh at most twice a second.
            if Date().timeIntervalSince(lastRefresh) > 0.5 || type.hasPrefix("launch."),
               let status = try? client.get("launches", launchID) {
                updateProgress(from: status)
            }
        }
        clearBars()
        print("\(time)  \(type.padding(toLength: 16, withPad: " ", startingAt: 0)) \(run.padding(toLength: 12, withPad: " ", startingAt: 0)) \(state)")
        drawBar(final: false)
    }

    private func updateProgress(from status: JSONValue) {
        lastRefresh = Date()
        if let counts = status["task_counts"]?.objectValue {
            // Counts of every run, also of launches whose `tasks` list is truncated.
            taskBars = counts.keys.sorted(by: LaunchWatcher.naturalOrder).map { task in
                let byState = counts[task]?.objectValue ?? [:]
                let all = byState.values.reduce(0) { $0 + Int($1.intValue ?? 0) }
                let done = byState.filter { LaunchWatcher.finishedRunStates.contains($0.key) }.values.reduce(0) { $0 + Int($1.intValue ?? 0) }
                return (task, done, all)
            }
            total = taskBars.reduce(0) { $0 + $1.total }
            finished = taskBars.reduce(0) { $0 + $1.finished }
            return
        }
        let tasks = status["tasks"]?.arrayValue ?? []
        total = tasks.count
        finished = tasks.filter { LaunchWatcher.finishedRunStates.contains($0["state"]?.stringValue ?? "") }.count
    }

    /// Erases the bar block drawn last, leaving the cursor at the start of its first line.
    private func clearBars() {
        Terminal.write("\r\u{1B}[2K" + String(repeating: "\u{1B}[1A\r\u{1B}[2K", count: max(0, barLines - 1)))
        barLines = 0
    }

    private func drawBar(final: Bool) {
        clearBars()
        var lines: [String] = []
        let label = max(5, min(16, taskBars.prefix(Self.maxTaskBars).map { $0.task.count }.max() ?? 0))
        for bar in taskBars.prefix(Self.maxTaskBars) {
            lines.append("\(bar.task.padding(toLength: label, withPad: " ", startingAt: 0)) \(Self.bar(bar.finished, bar.total)) \(bar.finished)/\(bar.total)")
        }
        if taskBars.count > Self.maxTaskBars {
            let rest = taskBars.dropFirst(Self.maxTaskBars)
            lines.append("(\(rest.count) more tasks: \(rest.reduce(0) { $0 + $1.finished })/\(rest.reduce(0) { $0 + $1.total }) runs finished)")
        }
        lines.append("\("total".padding(toLength: label, withPad: " ", startingAt: 0)) \(Self.bar(finished, total)) \(finished)/\(total) runs finished")
        Terminal.write(lines.joined(separator: "\n") + (final ? "\n" : ""))
        barLines = final ? 0 : lines.count
        barShown = true
    }

    static func bar(_ done: Int, _ all: Int, width: Int = 30) -> String {
        let filled = all == 0 ? 0 : min(width, width * done / all)
        return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "]"
    }

    /// Task ids in natural order: 2 before 10.
    static func naturalOrder(_ a: String, _ b: String) -> Bool {
        if let x = Int(a), let y = Int(b) { return x < y }
        return a.localizedStandardCompare(b) == .orderedAscending
    }

    static func now() -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: Date())
    }
}
