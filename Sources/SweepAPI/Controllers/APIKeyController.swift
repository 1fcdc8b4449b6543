import SweepJSON
import SweepStore
import Web

/// `/api/v1/api-keys`: create (the secret is shown this once), list, revoke.
struct APIKeyController: Controller {
    let database: Database

    func register(_ routes: inout Routes) {
        routes.tenant(.POST, "/api/v1/api-keys", create)
        routes.tenant(.GET, "/api/v1/api-keys", list)
        routes.tenant(.DELETE, "/api/v1/api-keys/{id}", revoke)
    }

    @Sendable func create(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        let name = try JSONFields(try request.jsonObject()).requiredString("name")
        guard (1...200).contains(name.count) else { throw APIError.badRequest("invalid_value", "name must be 1 to 200 characters", field: "/name") }
        let (key, secret) = try database.tenant(tenant.userID) { try APIKeyStore.create($0, name: name) }
        var json = render(key)
        json["key"] = .string(secret)
        var response = Response.json(.object(json), status: .created)
        response.setHeader("Cache-Control", "no-store")
        return response
    }

    @Sendable func list(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        let page = try Page(request)
        let keys = try database.tenant(tenant.userID) { try APIKeyStore.list($0, after: page.after, limit: page.limit + 1) }
        return page.response(keys, key: \.id) { .object(render($0)) }
    }

    @Sendable func revoke(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        let id = try request.parameter("id")
        guard try database.tenant(tenant.userID, { try APIKeyStore.revoke($0, id: id) }) else { throw APIError.notFound("API key") }
        return .noContent()
    }

    func render(_ key: APIKey) -> [String: JSONValue] {
        ["id": .string(key.id), "name": .string(key.name), "created_at": Timestamp.json(key.createdAt), "last_used_at": Timestamp.json(key.lastUsedAt)]
    }
}
