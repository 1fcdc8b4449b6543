import Foundation
import Postgres
import SweepStates

/// Deleting ended launches (ColonyOS `workflow remove` / `removeall`): one launch, or every ended launch matching a
/// filter, a batch per transaction so that a user with 100,000 launches never holds one huge transaction (locks,
/// WAL, a trigger deleting millions of runs at once). Waiting and running launches are never deleted.
public struct LaunchRemoval {
    /// Launches per transaction of a bulk delete: each takes its runs and events with it, so a batch of launches
    /// of 1,000 runs each is 200,000 rows.
    public static let defaultBatchSize = 200

    public enum Outcome: Sendable, Equatable {
        case deleted
        case notFound
        /// The launch is waiting or running (`state`).
        case notEnded(state: String)
    }

    let tx: TenantTransaction

    public init(_ tx: TenantTransaction) {
        self.tx = tx
    }

    public func delete(launchID: String) throws -> Outcome {
        guard UUIDText.isValid(launchID) else { return .notFound }
        let deleted = try tx.connection.query(LaunchSQL.deleteEnded.query([
            "user": tx.userID.rawValue.postgresBind, "launch": launchID.postgresBind,
        ]))
        if !deleted.isEmpty { return .deleted }
        guard let summary = try LaunchStore(tx).summary(id: launchID) else { return .notFound }
        return .notEnded(state: summary.state)
    }

    /// Deletes one batch of ended launches (`state`, `workflowID`: nil matches any); answers how many went. The
    /// caller runs batches, each in its own transaction, until one comes back short.
    public func deleteBatch(state: LaunchState?, workflowID: String?, batchSize: Int = LaunchRemoval.defaultBatchSize) throws -> Int {
        try tx.connection.execute(LaunchSQL.deleteEndedBatch.query([
            "user": tx.userID.rawValue.postgresBind, "state": state?.rawValue.postgresBind ?? .null,
            "workflow": workflowID?.postgresBind ?? .null, "batch": batchSize.postgresBind,
        ]))
    }
}
