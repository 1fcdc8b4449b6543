import Postgres
import SweepJSON
import SweepModel

/// Where a backend workflow's interceptor function runs, resolved from its owner's definitions at call time (the
/// same resolution a launch makes for its tasks: `ExecutorResolver`).
public enum InterceptorTarget: Sendable, Equatable {
    /// An HTTP destination: POST the request to `url`, exactly as the scheduler calls an HTTP function.
    case http(url: String)
    /// Anything else, with the reason this installation cannot run it before a call.
    case unavailable(String)

    public static func resolve(_ tx: TenantTransaction, functionID: String) throws -> InterceptorTarget {
        guard let row = try tx.connection.query("""
            SELECT f.definition AS function, d.definition AS destination FROM functions f
            LEFT JOIN destinations d ON d.user_id = f.user_id AND d.id = f.destination_id
            WHERE f.user_id = \(tx.userID) AND f.id = \(functionID)
            """).first else { return .unavailable("function '\(functionID)' is no longer registered") }
        guard let function = try? FunctionDefinition(json: try row.decode(JSONValue.self, column: "function")) else {
            return .unavailable("function '\(functionID)' cannot be read")
        }
        guard let json = try row.decode(JSONValue?.self, column: "destination"), let destination = try? Destination(json: json) else {
            return .unavailable("destination '\(function.destinationID)' of function '\(functionID)' is not registered")
        }
        guard destination.cloudProvider == .http else {
            return .unavailable("interceptors run on http destinations; '\(function.destinationID)' is \(destination.cloudProvider.rawValue)")
        }
        return .http(url: (destination.baseURL ?? "") + function.functionName)
    }
}
