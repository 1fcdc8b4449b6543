/// An RFC 6901 pointer, built while decoding so every error names the exact offending field.
public struct JSONPointer: Sendable, Hashable, CustomStringConvertible {
    public private(set) var tokens: [String]

    public init(_ tokens: [String] = []) { self.tokens = tokens }

    public static let root = JSONPointer()

    public func appending(_ key: String) -> JSONPointer { JSONPointer(tokens + [key]) }
    public func appending(_ index: Int) -> JSONPointer { JSONPointer(tokens + [String(index)]) }

    public static func / (lhs: JSONPointer, key: String) -> JSONPointer { lhs.appending(key) }
    public static func / (lhs: JSONPointer, index: Int) -> JSONPointer { lhs.appending(index) }

    public var description: String {
        // RFC 6901: "~" is written "~0" and "/" is written "~1", in that order.
        var out = ""
        for token in tokens {
            out += "/"
            for character in token {
                switch character {
                case "~": out += "~0"
                case "/": out += "~1"
                default: out.append(character)
                }
            }
        }
        return out
    }
}
