import SweepJSON
import SweepStore

/// An event as the hub routes it: owner, launch and the SSE frame.
struct StoredEventRow: Sendable {
    let id: Int64
    let userID: UserID
    let launchID: String
    let type: String
    let data: JSONValue

    /// `id:`, `event:`, `data:` lines and a blank line (API.md). The data is one line of JSON.
    var frame: [UInt8] {
        Array("id: \(id)\nevent: \(type)\ndata: ".utf8) + data.jsonBytes + Array("\n\n".utf8)
    }

    var endsLaunch: Bool { type == "launch.succeeded" || type == "launch.failed" || type == "launch.cancelled" }
}
