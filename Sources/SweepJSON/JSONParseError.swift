/// Why a byte sequence is not a JSON document, with the byte offset where parsing stopped.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var offset: Int

    public init(_ message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }

    public var description: String { "\(message) at byte \(offset)" }

    /// The message of a well-formed number no store can hold (`ExactNumber`'s limits); callers that tell "not JSON"
    /// from "JSON we refuse" compare against it.
    public static let numberOutOfRange = "number out of range (an exponent beyond ±1000, or past PostgreSQL numeric's range)"
    public var isNumberOutOfRange: Bool { message == JSONParseError.numberOutOfRange }
}
