import SweepJSON

/// A `multipart/form-data` body (RFC 7578) split into its fields: text fields by name, and file parts with their
/// file name and bytes. Pure: the caller decides where files go.
public struct MultipartForm: Sendable {
    public struct File: Sendable {
        public let field: String
        public let filename: String
        public let contentType: String?
        public let bytes: [UInt8]
    }

    public var fields: [String: String] = [:]
    public var files: [File] = []

    /// The boundary of a `Content-Type: multipart/form-data; boundary=…` header, or nil.
    public static func boundary(of contentType: String) -> String? {
        for part in contentType.split(separator: ";").dropFirst() {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: " \t") }
            if pair.count == 2, pair[0].lowercased() == "boundary" {
                let value = pair[1].hasPrefix("\"") && pair[1].hasSuffix("\"") && pair[1].count >= 2 ? String(pair[1].dropFirst().dropLast()) : pair[1]
                return value.isEmpty || value.count > 200 ? nil : value
            }
        }
        return nil
    }

    public struct ParseError: Error, Sendable { public let message: String }

    public init(body: [UInt8], boundary: String) throws(ParseError) {
        let delimiter = Array(("--" + boundary).utf8)
        var position = 0
        guard let first = Self.find(delimiter, in: body, from: 0) else { throw ParseError(message: "the body has no part delimited by the boundary") }
        position = first + delimiter.count
        while true {
            // "--" after a delimiter ends the body.
            if position + 1 < body.count, body[position] == 0x2D, body[position + 1] == 0x2D { break }
            guard let headerStart = Self.skipLine(body, position) else { throw ParseError(message: "a part is cut short") }
            guard let headerEnd = Self.find([13, 10, 13, 10], in: body, from: headerStart) else { throw ParseError(message: "a part has no end of headers") }
            let headers = String(decoding: body[headerStart..<headerEnd], as: UTF8.self)
            let contentStart = headerEnd + 4
            guard let next = Self.find([13, 10] + delimiter, in: body, from: contentStart) else { throw ParseError(message: "a part has no closing boundary") }
            let content = Array(body[contentStart..<next])
            var name: String? = nil
            var filename: String? = nil
            var contentType: String? = nil
            for line in headers.split(separator: "\r\n") {
                let pair = line.split(separator: ":", maxSplits: 1)
                guard pair.count == 2 else { continue }
                let key = pair[0].lowercased()
                let value = String(pair[1]).trimmingCharacters(in: " \t")
                if key == "content-disposition" {
                    name = Self.parameter("name", in: value)
                    filename = Self.parameter("filename", in: value)
                } else if key == "content-type" {
                    contentType = value
                }
            }
            guard let name else { throw ParseError(message: "a part has no name in its Content-Disposition") }
            if let filename {
                files.append(File(field: name, filename: filename, contentType: contentType, bytes: content))
            } else {
                fields[name] = String(decoding: content, as: UTF8.self)
            }
            position = next + 2 + delimiter.count
        }
    }

    static func parameter(_ key: String, in disposition: String) -> String? {
        for part in disposition.split(separator: ";").dropFirst() {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: " \t") }
            guard pair.count == 2, pair[0].lowercased() == key else { continue }
            var value = pair[1]
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value.replacingOccurrences(of: "\\\"", with: "\"")
        }
        return nil
    }

    static func skipLine(_ body: [UInt8], _ from: Int) -> Int? {
        guard let end = find([13, 10], in: body, from: from) else { return nil }
        return end + 2
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        haystack.firstIndex(ofSubsequence: needle, from: start)
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var slice = self
        while let c = slice.first, set.contains(c) { slice = slice.dropFirst() }
        while let c = slice.last, set.contains(c) { slice = slice.dropLast() }
        return String(slice)
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String { self[...].trimmingCharacters(in: set) }
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound] + replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
