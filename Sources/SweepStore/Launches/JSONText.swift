import Postgres

/// JSON already serialised, bound as text (the statement casts it: `$rows::jsonb`).
struct JSONText: PostgresEncodable {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var postgresBind: PostgresBind { .text(String(decoding: bytes, as: UTF8.self)) }
}
