import SweepCrypto
import SweepJSON
import SweepModel
import SweepStore
import Web

/// `/api/v1/functions`: function definitions and their zip archives.
struct FunctionController: Controller {
    /// Largest code archive accepted.
    static let maxCodeBytes = 10 << 20

    let database: Database

    func register(_ routes: inout Routes) {
        routes.tenant(.POST, "/api/v1/functions", create)
        routes.tenant(.GET, "/api/v1/functions", list)
        routes.tenant(.GET, "/api/v1/functions/{id}", show)
        routes.tenant(.DELETE, "/api/v1/functions/{id}", delete)
        routes.tenant(.PUT, "/api/v1/functions/{id}/code", uploadCode)
    }

    @Sendable func create(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        let function: FunctionDefinition
        do {
            function = try FunctionDefinition(json: try request.definitionBody())
        } catch let error as ValidationError {
            throw error.apiError
        }
        try database.tenant(tenant.userID) { tx in
            guard try DefinitionStore(tx, .destination).exists(id: function.destinationID) else {
                throw APIError.invalid("unknown_destination", "destination '\(function.destinationID)' is not registered", field: "/destination_id")
            }
            do {
                try DefinitionStore(tx, .function).insert(id: function.id, definition: function.definition, destinationID: function.destinationID)
            } catch DefinitionStore.WriteError.exists {
                throw APIError.conflict("function_exists", "a function with id '\(function.id)' already exists", field: "/id")
            }
        }
        return SweepAnswer.ok("Successfully registered function \(function.id).", status: .created, ["id": .string(function.id)])
    }

    @Sendable func list(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        let page = try Page(request)
        let items = try database.tenant(tenant.userID) { try DefinitionStore($0, .function).list(after: page.after, limit: page.limit + 1) }
        return page.response(items, key: \.id, render: DefinitionRendering.render)
    }

    @Sendable func show(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        let id = try request.parameter("id")
        guard let stored = try database.tenant(tenant.userID, { try DefinitionStore($0, .function).find(id: id) }) else {
            throw APIError.notFound("function")
        }
        return .json(DefinitionRendering.render(stored))
    }

    @Sendable func delete(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        let id = try request.parameter("id")
        guard try database.tenant(tenant.userID, { try DefinitionStore($0, .function).delete(id: id) }) else {
            throw APIError.notFound("function")
        }
        return .noContent()
    }

    @Sendable func uploadCode(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        let id = try request.parameter("id")
        guard request.body.count <= Self.maxCodeBytes else { throw APIError.payloadTooLarge(limit: Self.maxCodeBytes) }
        // A zip archive starts with a local file header, or is an empty archive's end-of-directory record.
        let magic = Array(request.body.prefix(4))
        guard magic == [0x50, 0x4B, 0x03, 0x04] || magic == [0x50, 0x4B, 0x05, 0x06] else {
            throw APIError.badRequest("invalid_zip", "the body must be a zip archive (Content-Type: application/zip)")
        }
        let sha = Digest.sha256Hex(request.body)
        guard try database.tenant(tenant.userID, { try DefinitionStore($0, .function).storeCode(functionID: id, code: request.body, sha256: sha) }) else {
            throw APIError.notFound("function")
        }
        return SweepAnswer.ok("Successfully uploaded function \(id).", ["sha256": .string(sha)])
    }
}
