#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SweepJSON

/// A Swift type that can be read from a text-format result column.
public protocol PostgresDecodable {
    /// `cell.bytes` is nil for NULL; non-optional types throw `cell.unexpectedNull()`.
    static func decode(from cell: PostgresCell) throws(PostgresError) -> Self
}

/// One column of one row, handed to `PostgresDecodable.decode`. Its bytes point into the result and are valid
/// only during that call.
public struct PostgresCell {
    public let column: String
    public let typeOID: UInt32
    /// The column's text, or nil for NULL.
    public let bytes: UnsafeBufferPointer<UInt8>?
    let query: String
    let file: String
    let line: Int

    public var isNull: Bool { bytes == nil }
    public var string: String? { bytes.map { String(decoding: $0, as: UTF8.self) } }

    /// Non-NULL bytes, or the standard NULL error naming the column.
    public func requireBytes<T>(_ type: T.Type = T.self) throws(PostgresError) -> UnsafeBufferPointer<UInt8> {
        guard let bytes else {
            throw error("column \"\(column)\" is NULL but \(T.self) is not optional")
        }
        return bytes
    }

    public func error(_ message: String) -> PostgresError {
        PostgresError(code: .decoding, message: message, query: query, file: file, line: line)
    }

    func invalid<T>(_ type: T.Type) -> PostgresError {
        // The value itself stays out of the message: it may be a secret.
        error("column \"\(column)\" (type OID \(typeOID)) cannot be decoded as \(T.self)")
    }
}

extension String: PostgresDecodable {
    public static func decode(from cell: PostgresCell) throws(PostgresError) -> String {
        String(decoding: try cell.requireBytes(String.self), as: UTF8.self)
    }
}

/// Decimal integer text, parsed in place without allocating a String.
private func parseInteger(_ b: UnsafeBufferPointer<UInt8>) -> Int64? {
    guard !b.isEmpty else { return nil }
    var i = 0
    let negative = b[0] == UInt8(ascii: "-")
    if negative || b[0] == UInt8(ascii: "+") { i = 1 }
    guard i < b.count else { return nil }
    var v: Int64 = 0
    while i < b.count {
        let c = b[i]
        guard c >= 48, c <= 57 else { return nil }
        // Accumulate negatively so Int64.min parses.
        let (m, o1) = v.multipliedReportingOverflow(by: 10)
        let (s, o2) = m.subtractingReportingOverflow(Int64(c - 48))
        if o1 || o2 { return nil }
        v = s
        i += 1
    }
    if negative { return v }
    return v == Int64.min ? nil : -v
}

extension Int64: PostgresDecodable {
    public static func decode(from cell: PostgresCell) throws(PostgresError) -> Int64 {
        guard let v = parseInteger(try cell.requireBytes(Int64.self)) else { throw cell.invalid(Int64.self) }
        return v
    }
}

extension Int: PostgresDecodable {
    public static func decode(from cell: PostgresCell) throws(PostgresError) -> Int {
        guard let v = parseInteger(try cell.requireBytes(Int.self)), let i = Int(exactly: v) else {
            throw cell.invalid(Int.self)
        }
        return i
    }
}

extension Int32: PostgresDecodable {
    public static func decode(from cell: PostgresCell) throws(PostgresError) -> Int32 {
        guard let v = parseInteger(try cell.requireBytes(Int32.self)), let i = Int32(exactly: v) else {
            throw cell.invalid(Int32.self)
        }
        return i
    }
}

extension Double: PostgresDecodable {
    public static func decode(from cell: PostgresCell) throws(PostgresError) -> Double {
        // Double(String) reads "NaN", "Infinity" and "-Infinity", which is what float8 prints.
        guard let v = Double(String(decoding: try cell.requireBytes(Double.self), as: UTF8.self)) else {
            throw cell.invalid(Double.self)
        }
        return v
    }
}

extension Bool: PostgresDecodable {
    public static func decode(from cell: PostgresCell) throws(PostgresError) -> Bool {
        let b = try cell.requireBytes(Bool.self)
        if b.count == 1, b[0] == UInt8(ascii: "t") { return true }
        if b.count == 1, b[0] == UInt8(ascii: "f") { return false }
        throw cell.invalid(Bool.self)
    }
}

extension JSONValue: PostgresDecodable {
    public static func decode(from cell: PostgresCell) throws(PostgresError) -> JSONValue {
        let b = try cell.requireBytes(JSONValue.self)
        do {
            return try JSONParser.parse(Array(b))
        } catch {
            throw cell.error("column \"\(cell.column)\" is not valid JSON: \(error)")
        }
    }
}

extension Date: PostgresDecodable {
    public static func decode(from cell: PostgresCell) throws(PostgresError) -> Date {
        guard let d = PostgresDateFormat.parse(try cell.requireBytes(Date.self)) else { throw cell.invalid(Date.self) }
        return d
    }
}

extension Array: PostgresDecodable where Element: PostgresArrayElement {
    public static func decode(from cell: PostgresCell) throws(PostgresError) -> [Element] {
        try Element.decodeArray(from: cell)
    }
}

extension UInt8 {
    /// bytea in the server's default hex output: `\x` then two hex digits per byte.
    public static func decodeArray(from cell: PostgresCell) throws(PostgresError) -> [UInt8] {
        let b = try cell.requireBytes([UInt8].self)
        guard b.count >= 2, b.count % 2 == 0, b[0] == UInt8(ascii: "\\"), b[1] == UInt8(ascii: "x") else {
            throw cell.invalid([UInt8].self)
        }
        // Blob chunks are a MiB each: one table lookup per digit into an uninitialised buffer, no per-byte append.
        let count = (b.count - 2) / 2
        var valid = true
        let out = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            hexNibble.withUnsafeBufferPointer { table in
                var i = 2
                for k in 0..<count {
                    let hi = table[Int(b[i])], lo = table[Int(b[i + 1])]
                    if hi | lo > 15 { valid = false; break }
                    buffer[k] = hi << 4 | lo
                    i += 2
                }
            }
            initialized = valid ? count : 0
        }
        guard valid else { throw cell.invalid([UInt8].self) }
        return out
    }
}

/// Hex digit values by ASCII code; 0xFF for anything that is not a hex digit.
private let hexNibble: [UInt8] = (0..<256).map { c -> UInt8 in
    switch c {
    case 48...57: UInt8(c - 48)
    case 97...102: UInt8(c - 87)
    case 65...70: UInt8(c - 55)
    default: 0xFF
    }
}

private func arrayElements<T>(_ cell: PostgresCell, _ type: [T].Type) throws(PostgresError) -> [[UInt8]] {
    let bytes = try cell.requireBytes([T].self)
    let parsed: [[UInt8]?]
    do {
        parsed = try PostgresArrayFormat.parse(bytes)
    } catch {
        guard case .malformed(let why) = error else { throw cell.invalid([T].self) }
        throw cell.error("column \"\(cell.column)\" is not a one-dimensional array: \(why)")
    }
    var out: [[UInt8]] = []
    out.reserveCapacity(parsed.count)
    for element in parsed {
        guard let element else { throw cell.error("column \"\(cell.column)\" holds a NULL element; \([T].self) cannot") }
        out.append(element)
    }
    return out
}

extension String {
    public static func decodeArray(from cell: PostgresCell) throws(PostgresError) -> [String] {
        try arrayElements(cell, [String].self).map { String(decoding: $0, as: UTF8.self) }
    }
}

extension Int64 {
    public static func decodeArray(from cell: PostgresCell) throws(PostgresError) -> [Int64] {
        var out: [Int64] = []
        for element in try arrayElements(cell, [Int64].self) {
            let v = element.withUnsafeBufferPointer { parseInteger($0) }
            guard let v else { throw cell.invalid([Int64].self) }
            out.append(v)
        }
        return out
    }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public static func decode(from cell: PostgresCell) throws(PostgresError) -> Wrapped? {
        cell.isNull ? nil : try Wrapped.decode(from: cell)
    }
}
