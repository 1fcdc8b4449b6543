import SweepJSON
import SweepStore
import Web

/// Admin-only user management. Deleting a user removes all of its data and keys (foreign keys cascade).
struct UserController: Controller {
    let database: Database

    func register(_ routes: inout Routes) {
        routes.admin(.POST, "/api/v1/users", create)
        routes.admin(.GET, "/api/v1/users", list)
        routes.admin(.DELETE, "/api/v1/users/{username}", delete)
    }

    @Sendable func create(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        let body = JSONFields(try request.jsonObject())
        let username = try body.requiredString("username")
        let password = try body.requiredString("password")
        let isAdmin = try body.optionalBool("is_admin") ?? false
        try UserController.validate(username: username, password: password)
        do {
            let user = try database.system { try UserStore.create($0, username: username, password: password, isAdmin: isAdmin) }
            return .json(render(user), status: .created)
        } catch UserStore.CreateError.exists {
            throw APIError.conflict("user_exists", "a user named '\(username)' already exists", field: "/username")
        }
    }

    @Sendable func list(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        let page = try Page(request)
        let users = try database.system { try UserStore.list($0, after: page.after, limit: page.limit + 1) }
        return page.response(users, key: \.username, render: render)
    }

    @Sendable func delete(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        let username = try request.parameter("username")
        if username == tenant.user.username {
            throw APIError.conflict("cannot_delete_self", "an administrator cannot delete their own account")
        }
        guard try database.system({ try UserStore.delete($0, username: username) }) else { throw APIError.notFound("user") }
        return .noContent()
    }

    static func validate(username: String, password: String) throws(APIError) {
        let allowed = username.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_.-".unicodeScalars.contains($0)) }
        guard (1...64).contains(username.count), allowed, username.first != "-", username.first != ".", username.first != "_" else {
            throw APIError.badRequest("invalid_value", "username must be 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit", field: "/username")
        }
        guard (8...256).contains(password.utf8.count), !password.contains("\0") else {
            throw APIError.badRequest("invalid_value", "password must be 8 to 256 bytes", field: "/password")
        }
    }

    func render(_ user: User) -> JSONValue {
        ["username": .string(user.username), "is_admin": .bool(user.isAdmin), "created_at": Timestamp.json(user.createdAt)]
    }
}
