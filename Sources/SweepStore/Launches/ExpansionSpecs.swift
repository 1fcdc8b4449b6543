import SweepModel
import Synchronization

/// The spec lists of chunked expansions this process is working through, so each later chunk takes its slice
/// instead of planning 100,000 specs again. A miss (another process began the expansion, or this one restarted)
/// plans again: `Planner.start`/`expand` are deterministic for a launch whose counts do not move, and no other gate
/// of a launch expands while its expansion is under way. Two lists at most: each can be tens of megabytes.
public final class ExpansionSpecs: Sendable {
    public static let shared = ExpansionSpecs()

    struct Entry: Sendable {
        let key: String
        let specs: [RunSpec]
        /// The list's edges (`ExpansionLinks`), built once with it.
        let links: ExpansionLinks
    }
    private let entries = Mutex<[Entry]>([])
    private let capacity = 2

    static func key(launchID: String, gate: String?, total: Int) -> String {
        "\(launchID)/\(gate ?? "")/\(total)"
    }

    @discardableResult
    func remember(_ specs: [RunSpec], launchID: String, gate: String?) -> Entry {
        let key = Self.key(launchID: launchID, gate: gate, total: specs.count)
        let entry = Entry(key: key, specs: specs, links: ExpansionLinks(specs))
        entries.withLock { list in
            list.removeAll { $0.key == key }
            if list.count >= capacity { list.removeFirst() }
            list.append(entry)
        }
        return entry
    }

    func specs(launchID: String, gate: String?, total: Int, plan: () throws -> [RunSpec]) rethrows -> Entry {
        let key = Self.key(launchID: launchID, gate: gate, total: total)
        if let found = entries.withLock({ list in list.first { $0.key == key } }) { return found }
        return remember(try plan(), launchID: launchID, gate: gate)
    }

    func forget(launchID: String, gate: String?, total: Int) {
        let key = Self.key(launchID: launchID, gate: gate, total: total)
        entries.withLock { list in list.removeAll { $0.key == key } }
    }
}
