import SweepStore

/// An event as the hub routes it: owner, launch and the SSE frame.
struct StoredEventRow: Sendable {
    let id: Int64
    let userID: UserID
    let launchID: String
    let type: String
    /// The data as PostgreSQL prints jsonb: one line of JSON, sent as it is (never parsed and re-encoded).
    let data: [UInt8]

    /// `id:`, `event:`, `data:` lines and a blank line (API.md).
    var frame: [UInt8] {
        Array("id: \(id)\nevent: \(type)\ndata: ".utf8) + data + Array("\n\n".utf8)
    }

    var endsLaunch: Bool { type == "launch.succeeded" || type == "launch.failed" || type == "launch.cancelled" }

    /// Stands for an event the hub only counted (no stream was open to receive it): it matches no user.
    static func placeholder(id: Int64) -> StoredEventRow {
        StoredEventRow(id: id, userID: UserID(0), launchID: "", type: "", data: [])
    }
}
