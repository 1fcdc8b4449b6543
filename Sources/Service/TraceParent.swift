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

    /// The trace of a launch and the span of one of its runs (read from `header(launchID:runRowID:)`, the one place
    /// that turns a launch and a run into trace and span ids).
    public init?(launchID: String, runRowID: Int64) {
        guard let header = Self.header(launchID: launchID, runRowID: runRowID) else { return nil }
        let bytes = Array(header.utf8)
        self.init(traceID: String(decoding: bytes[3..<35], as: UTF8.self), spanID: String(decoding: bytes[36..<52], as: UTF8.self))
    }

    /// The `traceparent` of run `runRowID` of launch `launchID` (its trace id the launch id lowercased without
    /// dashes, its span id the row id in 16 hex digits), written straight into the 55 bytes of the header: it is
    /// built for every HTTP task call, where lowercased, filtered and padded strings on the way were a share of a
    /// scheduler's CPU per run. nil when the launch id is not 32 hex digits (dashes aside) or either id is all zero.
    public static func header(launchID: String, runRowID: Int64) -> String? {
        var launch = launchID
        let header = launch.withUTF8 { id in
            String(unsafeUninitializedCapacity: 55) { out -> Int in
                out[0] = UInt8(ascii: "0"); out[1] = UInt8(ascii: "0"); out[2] = UInt8(ascii: "-")
                var count = 0, nonZero = false
                for byte in id where byte != UInt8(ascii: "-") {
                    // The trace id is the launch id lowercased without dashes: 32 hex digits (no other character
                    // lowercases to one), not all zero.
                    let lower = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "F") ? byte + 32 : byte
                    guard count < 32, (lower >= 48 && lower <= 57) || (lower >= 97 && lower <= 102) else { return 0 }
                    out[3 + count] = lower
                    nonZero = nonZero || lower != UInt8(ascii: "0")
                    count += 1
                }
                guard count == 32, nonZero, runRowID != 0 else { return 0 }
                out[35] = UInt8(ascii: "-")
                let span = UInt64(bitPattern: runRowID)
                for digit in 0..<16 {
                    let nibble = UInt8((span >> UInt64(60 - 4 * digit)) & 0xF)
                    out[36 + digit] = nibble < 10 ? 48 + nibble : 87 + nibble
                }
                out[52] = UInt8(ascii: "-"); out[53] = UInt8(ascii: "0"); out[54] = UInt8(ascii: "1")
                return 55
            }
        }
        return header.isEmpty ? nil : header
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
