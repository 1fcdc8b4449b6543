/// A W3C Trace Context `traceparent` (version 00, sampled): `00-<32 hex trace id>-<16 hex span id>-01`.
///
/// Sweep's convention: a launch is a trace (its id is the launch's UUID without dashes) and a task run is a span
/// (its id is the run's row id in 16 hex digits), so the logs of Sweep, of a task's HTTP function and of anything
/// that function calls join on the trace id without Sweep storing anything.
public struct TraceParent: Sendable, Hashable, CustomStringConvertible {
    public let traceID: String
    public let spanID: String

    /// nil when the parts are not lowercase hex of the right length, or all zero (W3C forbids both).
    public init?(traceID: String, spanID: String) {
        guard Self.isHex(traceID, count: 32), Self.isHex(spanID, count: 16) else { return nil }
        self.traceID = traceID
        self.spanID = spanID
    }

    /// The trace of a launch and the span of one of its runs.
    public init?(launchID: String, runRowID: Int64) {
        let hex = String(UInt64(bitPattern: runRowID), radix: 16)
        self.init(traceID: launchID.lowercased().filter { $0 != "-" }, spanID: String(repeating: "0", count: max(0, 16 - hex.count)) + hex)
    }

    /// Parses a received header; nil for anything but a well-formed version-00 value.
    public init?(header: String) {
        let parts = header.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "00", parts[3].count == 2 else { return nil }
        self.init(traceID: String(parts[1]), spanID: String(parts[2]))
    }

    public var header: String { "00-\(traceID)-\(spanID)-01" }
    public var description: String { header }

    /// The same trace with another span (a request served within a received trace).
    public func child(spanID: String) -> TraceParent? { TraceParent(traceID: traceID, spanID: spanID) }

    static func isHex(_ text: String, count: Int) -> Bool {
        let bytes = text.utf8
        return bytes.count == count && bytes.contains { $0 != UInt8(ascii: "0") }
            && bytes.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
    }
}
