import Foundation
import Postgres
import SweepJSON

/// Destinations, function definitions and container definitions of one tenant.
public struct DefinitionStore {
    public enum WriteError: Error { case exists, notFound }

    let tx: TenantTransaction
    let kind: DefinitionKind

    public init(_ tx: TenantTransaction, _ kind: DefinitionKind) {
        self.tx = tx
        self.kind = kind
    }

    private var table: PostgresQuery { PostgresQuery(unsafeSQL: kind.table) }

    /// Inserts a new definition; `.exists` when the id is taken. `extra` are the kind's own columns.
    /// `sealedCredentials` is a destination's credentials as `SecretBox` sealed them: never plaintext.
    public func insert(id: String, definition: JSONValue, destinationID: String? = nil, cloudProvider: String? = nil, sealedCredentials: String? = nil) throws {
        let statement: PostgresQuery = kind == .destination
            ? """
                INSERT INTO destinations (user_id, id, cloud_provider, definition, credentials)
                VALUES (\(tx.userID), \(id), \(cloudProvider ?? ""), \(definition)::jsonb, \(sealedCredentials))
                """
            : """
                INSERT INTO \(unsafeSQL: kind.table) (user_id, id, destination_id, definition)
                VALUES (\(tx.userID), \(id), \(destinationID ?? ""), \(definition)::jsonb)
                """
        do {
            try tx.connection.execute(statement)
        } catch {
            if error.isUniqueViolation { throw WriteError.exists }
            throw error
        }
    }

    /// Replaces a destination's definition (PUT); `.notFound` when there is none.
    public func replaceDestination(id: String, definition: JSONValue, cloudProvider: String, sealedCredentials: String?) throws {
        let changed = try tx.connection.execute("""
            UPDATE destinations SET definition = \(definition)::jsonb, cloud_provider = \(cloudProvider),
                   credentials = \(sealedCredentials), updated_at = now()
            WHERE user_id = \(tx.userID) AND id = \(id)
            """)
        if changed == 0 { throw WriteError.notFound }
    }

    /// What a destination's sealed credentials are bound to: this row of this tenant (a copy elsewhere does not open).
    public static func credentialsAssociatedData(userID: UserID, destinationID: String) -> [UInt8] {
        Array("sweep/destinations/\(userID)/\(destinationID)".utf8)
    }

    /// Destinations whose credentials were stored before sealing (migration 0008): user, id and the JSON text.
    /// Owner-side maintenance (`sweep-api migrate`), across tenants.
    public static func unsealedCredentials(_ connection: PostgresConnection) throws -> [(userID: UserID, id: String, plaintext: String)] {
        try connection.query("""
            SELECT user_id, id, credentials FROM destinations WHERE credentials IS NOT NULL AND credentials NOT LIKE 'v1:%'
            """).map { row in
            (UserID(try row.decode(Int64.self, column: "user_id")), try row.decode(String.self, column: "id"),
             try row.decode(String.self, column: "credentials"))
        }
    }

    /// Replaces plaintext credentials with their sealed form, unless the row changed meanwhile.
    public static func storeSealed(_ connection: PostgresConnection, userID: UserID, id: String, sealed: String, replacing plaintext: String) throws {
        try connection.execute("""
            UPDATE destinations SET credentials = \(sealed)
            WHERE user_id = \(userID) AND id = \(id) AND credentials = \(plaintext)
            """)
    }

    /// Replaces a container definition (PUT: SWEEP updates cpu, memory and command this way); `.notFound` when
    /// there is none.
    public func replaceContainer(id: String, definition: JSONValue, destinationID: String) throws {
        precondition(kind == .container)
        let changed = try tx.connection.execute("""
            UPDATE containers SET definition = \(definition)::jsonb, destination_id = \(destinationID), updated_at = now()
            WHERE user_id = \(tx.userID) AND id = \(id)
            """)
        if changed == 0 { throw WriteError.notFound }
    }

    public func find(id: String) throws -> StoredDefinition? {
        try tx.connection.query("""
            SELECT id, definition, \(unsafeSQL: codeColumn) AS code_sha256, created_at, updated_at
            FROM \(unsafeSQL: kind.table) WHERE user_id = \(tx.userID) AND id = \(id)
            """).first.map(Self.decode)
    }

    public func exists(id: String) throws -> Bool {
        try tx.connection.query("SELECT 1 AS one FROM \(unsafeSQL: kind.table) WHERE user_id = \(tx.userID) AND id = \(id)").first != nil
    }

    public func list(after cursor: String?, limit: Int) throws -> [StoredDefinition] {
        try tx.connection.query("""
            SELECT id, definition, \(unsafeSQL: codeColumn) AS code_sha256, created_at, updated_at
            FROM \(unsafeSQL: kind.table)
            WHERE user_id = \(tx.userID) AND (\(cursor == nil) OR id > \(cursor ?? ""))
            ORDER BY id LIMIT \(limit)
            """).map(Self.decode)
    }

    /// All ids of this kind (for validating workflow references).
    public func allIDs() throws -> Set<String> {
        Set(try tx.connection.query("SELECT id FROM \(unsafeSQL: kind.table) WHERE user_id = \(tx.userID)").map { try $0.decode(String.self, column: "id") })
    }

    public func delete(id: String) throws -> Bool {
        try tx.connection.execute("DELETE FROM \(unsafeSQL: kind.table) WHERE user_id = \(tx.userID) AND id = \(id)") > 0
    }

    /// Stores a function's code archive with its SHA-256; false when the function does not exist.
    public func storeCode(functionID: String, code: [UInt8], sha256: String) throws -> Bool {
        precondition(kind == .function)
        return try tx.connection.execute("""
            UPDATE functions SET code = \(code), code_sha256 = \(sha256), updated_at = now()
            WHERE user_id = \(tx.userID) AND id = \(functionID)
            """) > 0
    }

    private var codeColumn: String { kind == .function ? "code_sha256" : "NULL::text" }

    static func decode(_ row: PostgresRow) throws -> StoredDefinition {
        StoredDefinition(
            id: try row.decode(String.self, column: "id"),
            definition: try row.decode(JSONValue.self, column: "definition"),
            codeSHA256: try row.decode(String?.self, column: "code_sha256"),
            createdAt: try row.decode(Date.self, column: "created_at"),
            updatedAt: try row.decode(Date.self, column: "updated_at"))
    }
}
