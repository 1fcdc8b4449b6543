/// A launch's state (API.md): waiting until its first run is claimed, running, then one of the three ends.
public enum LaunchState: String, Sendable, Hashable, CaseIterable {
    case waiting, running, succeeded, failed, cancelled

    public var isTerminal: Bool {
        switch self {
        case .waiting, .running: false
        case .succeeded, .failed, .cancelled: true
        }
    }

    public static let terminal: [LaunchState] = allCases.filter(\.isTerminal)

    /// The state as a SQL literal (see `RunState.sql`).
    public var sql: String { "'\(rawValue)'" }

    public static func sqlList(_ states: [LaunchState]) -> String {
        "(" + states.map(\.sql).joined(separator: ", ") + ")"
    }

    /// True for the text of a final state (API answers, CLI filters).
    public static func isTerminal(_ text: String) -> Bool { LaunchState(rawValue: text)?.isTerminal ?? false }
}
