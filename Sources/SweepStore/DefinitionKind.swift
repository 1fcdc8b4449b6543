import Postgres

/// The three registered-definition tables share one shape (owner, id, definition); this names which one.
public enum DefinitionKind: String, Sendable, CaseIterable {
    case destination
    case function
    case container

    /// A constant table name, never user input.
    var table: String {
        switch self {
        case .destination: "destinations"
        case .function: "functions"
        case .container: "containers"
        }
    }
}
