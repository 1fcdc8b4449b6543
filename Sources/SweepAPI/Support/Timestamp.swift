import Foundation
import SweepJSON

/// RFC 3339 UTC timestamps with milliseconds, as API.md asks.
enum Timestamp {
    static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    static func json(_ date: Date?) -> JSONValue {
        guard let date else { return .null }
        return .string(date.formatted(style))
    }
}
