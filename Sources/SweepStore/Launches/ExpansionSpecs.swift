import SweepModel
import Synchronization

/// The spec lists of chunked expansions this process is working through, so each later chunk takes its slice
/// instead of planning 100,000 specs again. A miss (another process began the expansion, or this one restarted)
/// plans again: `Planner.start`/`expand` are deterministic for a launch whose counts do not move, and no other gate
/// of a launch expands while its expansion is under way. Two lists at most: each can be tens of megabytes.
public final class ExpansionSpecs: Sendable {
    public static let shared = ExpansionSpecs()

    private struct Entry {
        let key: String
        let specs: [RunSpec]
    }
    private let entries = Mutex<[Entry]>([])
    private let capacity = 2

    static func key(launchID: String, gate: String?, total: Int) -> String {
        "\(launchID)/\(gate ?? "")/\(total)"
    }

    func remember(_ specs: [RunSpec], launchID: String, gate: String?) {
        let key = Self.key(launchID: launchID, gate: gate, total: specs.count)
        entries.withLock { list in
            list.removeAll { $0.key == key }
            if list.count >= capacity { list.removeFirst() }
            list.append(Entry(key: key, specs: specs))
        }
    }

    func specs(launchID: String, gate: String?, total: Int, plan: () throws -> [RunSpec]) rethrows -> [RunSpec] {
        let key = Self.key(launchID: launchID, gate: gate, total: total)
        if let found = entries.withLock({ list in list.first { $0.key == key }?.specs }) { return found }
        let specs = try plan()
        remember(specs, launchID: launchID, gate: gate)
        return specs
    }

    func forget(launchID: String, gate: String?, total: Int) {
        let key = Self.key(launchID: launchID, gate: gate, total: total)
        entries.withLock { list in list.removeAll { $0.key == key } }
    }
}
