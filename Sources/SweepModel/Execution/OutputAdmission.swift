import SweepJSON

/// The check every executor result passes before it is recorded: an output PostgreSQL or our decoder cannot hold
/// fails its run (`output_rejected: <why>`) instead of failing the statement that records a whole batch, again
/// and again. Pure; the scheduler applies it where results become completions.
///
/// What is refused:
/// - a NUL character in any string or key (`jsonb` refuses `\u0000`);
/// - bytes that are not UTF-8 (checked on the raw answer: a Swift string is always valid Unicode);
/// - nesting deeper than `maxDepth`: a successor's input wraps the output in `predecessor_outputs` (two levels) and
///   one list per gathered scatter level, and must still parse within `JSONParser.defaultMaxDepth` when a scheduler
///   reads it back. The default leaves `inputHeadroom` levels for that;
/// - a serialized size over `maxBytes`.
public struct OutputAdmission: Sendable, Hashable {
    /// Levels kept free for what successors' inputs add around an output.
    public static let inputHeadroom = 28
    public static let defaultMaxDepth = JSONParser.defaultMaxDepth - inputHeadroom
    /// The scheduler's HTTP client already caps bodies at 1 MiB; process output is capped the same.
    public static let defaultMaxBytes = 1 << 20

    public var maxBytes: Int
    public var maxDepth: Int

    public init(maxBytes: Int = defaultMaxBytes, maxDepth: Int = defaultMaxDepth) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
    }

    /// What became of an executor's raw answer.
    public enum Decoded: Sendable, Equatable {
        case value(JSONValue)
        /// Not JSON at all: the caller words its own failure ("the function's answer is not JSON").
        case malformed(JSONParseError)
        /// JSON, or meant as JSON, that cannot be stored: the run fails with `OutputAdmission.message(reason)`.
        case rejected(String)
    }

    /// The run's error text for a refused output.
    public static func message(_ reason: String) -> String { "output_rejected: " + reason }

    /// Parses an executor's answer, telling apart what is merely not JSON from what is refused.
    public func decode(_ bytes: [UInt8]) -> Decoded {
        if bytes.count > maxBytes { return .rejected("the output is \(bytes.count) bytes, more than the limit of \(maxBytes)") }
        if String(validating: bytes, as: UTF8.self) == nil { return .rejected("the output is not valid UTF-8") }
        do {
            let value = try JSONParser.parse(bytes, maxDepth: maxDepth)
            if let reason = problem(in: value) { return .rejected(reason) }
            return .value(value)
        } catch {
            if JSONDepth.of(bytes) > maxDepth { return .rejected("the output nests deeper than \(maxDepth) levels") }
            if error.isNumberOutOfRange { return .rejected("the output holds a \(error)") }
            return .malformed(error)
        }
    }

    /// Why a decoded output cannot be recorded, or nil when it can. Run it on the final output (with
    /// `static_output` merged), which is what is stored.
    public func problem(in value: JSONValue) -> String? {
        if let pointer = value.pointerToNUL {
            return "the output holds the NUL character (\\u0000) at \(pointer.isEmpty ? "/" : pointer), which PostgreSQL cannot store"
        }
        let depth = value.nestingDepth
        if depth > maxDepth { return "the output nests \(depth) levels deep, more than the limit of \(maxDepth)" }
        let size = value.serializedSize(upTo: maxBytes)
        if size > maxBytes { return "the output is more than \(maxBytes) bytes as JSON" }
        return nil
    }
}
