/// One bound parameter as it goes over the wire. Prints as `****` so logs and errors never show values.
public struct PostgresBind: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    enum Storage: Sendable, Hashable {
        case null
        case text(String)
        case binary([UInt8])
    }

    let storage: Storage
    /// The parameter's type OID, or 0 to let the server infer it from context.
    let typeOID: UInt32

    public static let null = PostgresBind(storage: .null, typeOID: 0)
    /// A text-format parameter. `typeOID` 0 lets the server infer the type (so a String fits text, uuid, jsonb, …).
    public static func text(_ value: String, typeOID: UInt32 = 0) -> PostgresBind {
        PostgresBind(storage: .text(value), typeOID: typeOID)
    }
    /// A binary-format parameter; the caller vouches that the bytes are the binary form of `typeOID`.
    public static func binary(_ value: [UInt8], typeOID: UInt32) -> PostgresBind {
        PostgresBind(storage: .binary(value), typeOID: typeOID)
    }

    public var description: String { "****" }
    public var debugDescription: String { "****" }
}

/// Type OIDs from pg_type.dat that the built-in conversions use.
enum PostgresOID {
    static let unknown: UInt32 = 0
    static let bool: UInt32 = 16
    static let bytea: UInt32 = 17
    static let int8: UInt32 = 20
    static let int4: UInt32 = 23
    static let text: UInt32 = 25
    static let float8: UInt32 = 701
    static let textArray: UInt32 = 1009
    static let int8Array: UInt32 = 1016
    static let timestamptz: UInt32 = 1184
}
