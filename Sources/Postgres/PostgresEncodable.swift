#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SweepJSON

/// A Swift value that can be bound as a query parameter.
public protocol PostgresEncodable {
    var postgresBind: PostgresBind { get }
}

extension String: PostgresEncodable {
    // OID 0: the server infers text, varchar, uuid, enum, … from context.
    public var postgresBind: PostgresBind { .text(self) }
}

extension Int: PostgresEncodable {
    public var postgresBind: PostgresBind { .text(String(self), typeOID: PostgresOID.int8) }
}

extension Int64: PostgresEncodable {
    public var postgresBind: PostgresBind { .text(String(self), typeOID: PostgresOID.int8) }
}

extension Int32: PostgresEncodable {
    public var postgresBind: PostgresBind { .text(String(self), typeOID: PostgresOID.int4) }
}

extension Double: PostgresEncodable {
    public var postgresBind: PostgresBind {
        let text: String
        if isNaN {
            text = "NaN"
        } else if isInfinite {
            text = self < 0 ? "-Infinity" : "Infinity"
        } else {
            text = "\(self)"  // shortest representation that round-trips
        }
        return .text(text, typeOID: PostgresOID.float8)
    }
}

extension Bool: PostgresEncodable {
    public var postgresBind: PostgresBind { .text(self ? "t" : "f", typeOID: PostgresOID.bool) }
}

extension JSONValue: PostgresEncodable {
    // OID 0 so the same value fits json and jsonb columns; write `\(v)::jsonb` where context does not decide.
    public var postgresBind: PostgresBind { .text(jsonString) }
}

extension Date: PostgresEncodable {
    public var postgresBind: PostgresBind { .text(PostgresDateFormat.format(self), typeOID: PostgresOID.timestamptz) }
}

/// An element type whose arrays have a PostgreSQL form. Swift allows Array only one conditional conformance to
/// a protocol, so each element type says how its array is sent and read: [UInt8] is bytea (binary, so zero bytes
/// survive), [String] is `text[]`, [Int64] is `bigint[]`.
public protocol PostgresArrayElement {
    static func postgresBind(array: [Self]) -> PostgresBind
    static func decodeArray(from cell: PostgresCell) throws(PostgresError) -> [Self]
}

extension Array: PostgresEncodable where Element: PostgresArrayElement {
    public var postgresBind: PostgresBind { Element.postgresBind(array: self) }
}

extension UInt8: PostgresArrayElement {
    public static func postgresBind(array: [UInt8]) -> PostgresBind { .binary(array, typeOID: PostgresOID.bytea) }
}

extension String: PostgresArrayElement {
    public static func postgresBind(array: [String]) -> PostgresBind {
        .text(PostgresArrayFormat.format(array), typeOID: PostgresOID.textArray)
    }
}

extension Int64: PostgresArrayElement {
    public static func postgresBind(array: [Int64]) -> PostgresBind {
        .text("{" + array.map { String($0) }.joined(separator: ",") + "}", typeOID: PostgresOID.int8Array)
    }
}

extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    public var postgresBind: PostgresBind {
        switch self {
        case .none: .null
        case .some(let value): value.postgresBind
        }
    }
}

extension PostgresBind: PostgresEncodable {
    public var postgresBind: PostgresBind { self }
}
