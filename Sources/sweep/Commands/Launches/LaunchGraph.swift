import SweepJSON
import Foundation
import SweepStates

/// The expanded DAG of a launch, from the `tasks` of its status: one node per task run (labelled run id + state),
/// replicas of one task grouped together, edges from `successors` (and `predecessors`, whichever the server fills).
struct LaunchGraph {
    struct Node {
        let run: String
        let task: String
        let state: String
        /// The task's v1.1 `label`, shown under the run id when set.
        let label: String?

        /// The lines of a node's box: run id, label (if any), state.
        var lines: [String] { [run] + (label.map { [$0] } ?? []) + [state] }
    }

    let launchID: String
    private(set) var nodes: [Node] = []
    private(set) var edges: [(from: String, to: String)] = []

    init(status: JSONValue) {
        launchID = status["launch_id"]?.stringValue ?? "launch"
        var seen = Set<String>()
        var edgeSet = Set<String>()
        for task in status["tasks"]?.arrayValue ?? [] {
            guard let run = task["run_id"]?.stringValue else { continue }
            let node = Node(run: run, task: task["task_id"]?.stringValue ?? run, state: task["state"]?.stringValue ?? "?",
                            label: task["label"]?.stringValue)
            if seen.insert(run).inserted { nodes.append(node) }
            for next in task["successors"]?.arrayValue ?? [] {
                if let next = next.stringValue, edgeSet.insert(run + "\u{0}" + next).inserted { edges.append((run, next)) }
            }
            for previous in task["predecessors"]?.arrayValue ?? [] {
                if let previous = previous.stringValue, edgeSet.insert(previous + "\u{0}" + run).inserted {
                    edges.append((previous, run))
                }
            }
        }
    }

    /// Task ids in first-seen order, each with its runs; a task is a group when it has replicas.
    private var groups: [(task: String, runs: [Node])] {
        var order: [String] = []
        var byTask: [String: [Node]] = [:]
        for node in nodes {
            if byTask[node.task] == nil { order.append(node.task) }
            byTask[node.task, default: []].append(node)
        }
        return order.map { ($0, byTask[$0]!) }
    }

    private func isReplicated(_ group: (task: String, runs: [Node])) -> Bool {
        group.runs.count > 1 || group.runs.first?.run != group.task
    }

    static let colours: [String: String] = Dictionary(uniqueKeysWithValues: RunState.allCases.map { state in
        let colour = switch state {
        case .succeeded: "#c8e6c9"
        case .failed: "#ffcdd2"
        case .upstreamFailed: "#ffe0b2"
        case .cancelled: "#e0e0e0"
        case .running: "#bbdefb"
        case .scheduled: "#fff9c4"
        case .pending: "#ffffff"
        case .waiting: "#e1f5fe"
        case .skipped: "#f5f5f5"
        }
        return (state.rawValue, colour)
    })

    func dot() -> String {
        var out = "digraph \(LaunchGraph.dotQuote(launchID)) {\n  rankdir=TB;\n  node [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\"];\n"
        for group in groups {
            let replicated = isReplicated(group)
            let indent = replicated ? "    " : "  "
            if replicated {
                out += "  subgraph \(LaunchGraph.dotQuote("cluster_" + group.task)) {\n    label=\(LaunchGraph.dotQuote("task " + group.task));\n    style=dashed;\n"
            }
            for node in group.runs {
                let colour = LaunchGraph.colours[node.state] ?? "#ffffff"
                out += "\(indent)\(LaunchGraph.dotQuote(node.run)) [label=\(LaunchGraph.dotQuote(node.lines.joined(separator: "\n"))), fillcolor=\"\(colour)\"];\n"
            }
            if replicated { out += "  }\n" }
        }
        for edge in edges { out += "  \(LaunchGraph.dotQuote(edge.from)) -> \(LaunchGraph.dotQuote(edge.to));\n" }
        return out + "}\n"
    }

    func mermaid() -> String {
        var out = "flowchart TD\n"
        for group in groups {
            let replicated = isReplicated(group)
            let indent = replicated ? "    " : "  "
            if replicated { out += "  subgraph \(LaunchGraph.mermaidID("task_" + group.task))[\"task \(LaunchGraph.mermaidText(group.task))\"]\n" }
            for node in group.runs {
                out += "\(indent)\(LaunchGraph.mermaidID(node.run))[\"\(node.lines.map(LaunchGraph.mermaidText).joined(separator: "<br/>"))\"]:::\(LaunchGraph.mermaidID(node.state))\n"
            }
            if replicated { out += "  end\n" }
        }
        for edge in edges { out += "  \(LaunchGraph.mermaidID(edge.from)) --> \(LaunchGraph.mermaidID(edge.to))\n" }
        for (state, colour) in LaunchGraph.colours.sorted(by: { $0.key < $1.key }) {
            out += "  classDef \(LaunchGraph.mermaidID(state)) fill:\(colour)\n"
        }
        return out
    }

    var json: JSONValue {
        [
            "launch_id": .string(launchID),
            "nodes": .array(nodes.map { node in
                var object: [String: JSONValue] = ["run_id": .string(node.run), "task_id": .string(node.task), "state": .string(node.state)]
                if let label = node.label { object["label"] = .string(label) }
                return .object(object)
            }),
            "edges": .array(edges.map { ["from": .string($0.from), "to": .string($0.to)] }),
        ]
    }

    static func dotQuote(_ text: String) -> String {
        var out = "\""
        for character in text {
            switch character {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out + "\""
    }

    /// Mermaid ids: letters, digits and `_` only, prefixed so `1` or `end` cannot clash with keywords.
    static func mermaidID(_ text: String) -> String {
        "n_" + String(text.unicodeScalars.map { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) ? Character($0) : "_" })
    }

    static func mermaidText(_ text: String) -> String {
        text.replacingOccurrences(of: "\"", with: "#quot;")
    }
}
