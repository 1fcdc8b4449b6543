import Foundation
import Postgres
import SweepJSON
import SweepStore

/// A user with the definitions a test needs, created through the stores the API uses.
public struct TestTenant: Sendable {
    public let database: Database
    public let userID: UserID
    public let name: String

    /// A user with a random name; `http` functions resolve to `baseURL + name` (nothing is called unless a test
    /// runs an executor).
    public static func create(_ database: Database, prefix: String = "u") throws -> TestTenant {
        let name = "\(prefix)\(UInt32.random(in: 0...UInt32.max))"
        let id = try database.system { connection in
            try connection.query("INSERT INTO users (username, password_hash) VALUES (\(name), 'not-a-hash') RETURNING id")[0]
                .decode(Int64.self, column: "id")
        }
        return TestTenant(database: database, userID: UserID(id), name: name)
    }

    public func tenant<T>(_ body: (TenantTransaction) throws -> T) throws -> T {
        try database.tenant(userID, body)
    }

    /// An http destination and one function per name.
    public func registerFunctions(_ names: [String], baseURL: String = "http://127.0.0.1:9/") throws {
        try tenant { tx in
            try DefinitionStore(tx, .destination).insert(
                id: "fns", definition: ["id": "fns", "cloud_provider": "http", "base_url": .string(baseURL)], cloudProvider: "http")
            for name in names {
                try DefinitionStore(tx, .function).insert(
                    id: name, definition: ["id": .string(name), "destination_id": "fns", "function_name": .string(name)], destinationID: "fns")
            }
        }
    }

    /// Registers a workflow given as JSON text.
    public func registerWorkflow(_ json: String) throws {
        let definition = try JSONParser.parse(json)
        guard let id = definition["workflow_id"]?.stringValue else { throw TestFailure("workflow_id missing") }
        _ = try tenant { try WorkflowStore($0).insertNextVersion(workflowID: id, definition: definition) }
    }

    /// Creates a launch (its first runs planned, as the API does); returns its id.
    public func launch(_ workflowID: String, input: JSONValue? = nil) throws -> String {
        try tenant { tx in
            switch try LaunchStore(tx).create(workflowID: workflowID, input: input, idempotencyKey: nil) {
            case .created(let id), .existing(let id): return id
            case .workflowNotFound, .versionNotFound: throw TestFailure("no workflow \(workflowID)")
            }
        }
    }

    public func summary(_ launchID: String) throws -> LaunchSummary {
        guard let summary = try tenant({ try LaunchStore($0).summary(id: launchID) }) else { throw TestFailure("no launch \(launchID)") }
        return summary
    }

    /// The launch's runs by name.
    public func runs(_ launchID: String) throws -> [String: TaskRunRecord] {
        Dictionary(uniqueKeysWithValues: try tenant { try LaunchStore($0).runs(launchID: launchID) }.map { ($0.name, $0) })
    }

    /// The launch's event types in order, with their run names.
    public func events(_ launchID: String) throws -> [String] {
        try tenant { try EventStore($0).events(launchID: launchID, after: 0, limit: 10_000) }.map { event in
            event.type + (event.data["run_id"]?.stringValue.map { " " + $0 } ?? "")
        }
    }
}

public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Workflows the tests share, as JSON text.
public enum TestWorkflows {
    /// a -> b -> c, each an http function of its own name.
    public static func chain(_ id: String, config: String? = nil) -> String {
        """
        {"workflow_id": "\(id)", \(config.map { "\"config\": \($0)," } ?? "") "tasks": [
          {"id": "a", "execution_configurations": [{"function_def_id": "a", "priority": 1}], "successors": ["b"], "properties": {"position": "start"}},
          {"id": "b", "execution_configurations": [{"function_def_id": "b", "priority": 1}], "successors": ["c"]},
          {"id": "c", "execution_configurations": [{"function_def_id": "c", "priority": 1}], "successors": []}]}
        """
    }

    /// One task, `a`, with optional properties (JSON object text).
    public static func single(_ id: String, properties: String = "{\"position\": \"start\"}") -> String {
        """
        {"workflow_id": "\(id)", "tasks": [
          {"id": "a", "execution_configurations": [{"function_def_id": "a", "priority": 1}], "successors": [], "properties": \(properties)}]}
        """
    }

    /// `a` fans out to `width` replicas of `b` (a static scatter over a list), nothing after them.
    public static func fan(_ id: String, width: Int) -> String {
        """
        {"workflow_id": "\(id)", "tasks": [
          {"id": "a", "execution_configurations": [{"function_def_id": "a", "priority": 1}], "successors": ["b"], "properties": {"position": "start"}},
          {"id": "b", "execution_configurations": [{"function_def_id": "b", "priority": 1}], "successors": [],
           "properties": {"scatter": "\(Array(0..<width))"}}]}
        """
    }
}
