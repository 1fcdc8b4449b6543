/// The answer to an `HTTPRequest`. Any status, 4xx and 5xx included, is a response, not an error.
public struct HTTPResponse: Sendable {
    public var status: Int
    /// In the order received, names as the server spelled them. Only the final response's headers (not those of
    /// a `100 Continue`).
    public var headers: [(name: String, value: String)] {
        get {
            switch headerStorage {
            case .parsed(let headers): headers
            case .lines(let block): Self.parse(block)
            }
        }
        set { headerStorage = .parsed(newValue) }
    }
    public var body: [UInt8]
    /// True when the body exceeded the client's `maxBodyBytes`: `body` holds its first `maxBodyBytes` bytes and
    /// the rest was not read (the connection was closed).
    public var bodyTruncated: Bool

    /// The header lines as received, split into names and values only when asked for: most task calls never look
    /// at them, and two strings per line per call were a share of a scheduler's CPU.
    private var headerStorage: HeaderStorage

    private enum HeaderStorage: Sendable {
        case parsed([(name: String, value: String)])
        /// `name: value` lines, each ended by LF, without the status line.
        case lines([UInt8])
    }

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = [],
                bodyTruncated: Bool = false) {
        self.status = status
        self.headerStorage = .parsed(headers)
        self.body = body
        self.bodyTruncated = bodyTruncated
    }

    /// A response whose headers are the lines of `headerLines` (`ResponseSink`).
    init(status: Int, headerLines: [UInt8], body: [UInt8], bodyTruncated: Bool) {
        self.status = status
        self.headerStorage = .lines(headerLines)
        self.body = body
        self.bodyTruncated = bodyTruncated
    }

    /// The first header named `name`, compared case-insensitively (ASCII).
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }

    /// The body decoded as UTF-8 (invalid sequences replaced).
    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// Each line's name (before the first colon) and value (after it, without surrounding spaces and tabs); a line
    /// without a colon is no header.
    static func parse(_ block: [UInt8]) -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = []
        var lineStart = 0
        while lineStart < block.count {
            let lineEnd = block[lineStart...].firstIndex(of: 0x0A) ?? block.count
            if let colon = block[lineStart..<lineEnd].firstIndex(of: UInt8(ascii: ":")) {
                var start = colon + 1, stop = lineEnd
                while start < stop, block[start] == 0x20 || block[start] == 0x09 { start += 1 }
                while stop > start, block[stop - 1] == 0x20 || block[stop - 1] == 0x09 { stop -= 1 }
                headers.append((name: String(decoding: block[lineStart..<colon], as: UTF8.self),
                                value: String(decoding: block[start..<stop], as: UTF8.self)))
            }
            lineStart = lineEnd + 1
        }
        return headers
    }
}
