import SweepJSON
import SweepStore
import Web

/// `/api/v1/users/{username}/limits`: an administrator sets a user's limits (DESIGN §7). A PUT replaces them all:
/// a limit left out or null goes back to the configured default (`LimitDefaults`). Both answers show what is set
/// and what is in force.
struct UserLimitController: Controller {
    let database: Database
    let defaults: LimitDefaults

    func register(_ routes: inout Routes) {
        routes.admin(.GET, "/api/v1/users/{username}/limits", show)
        routes.admin(.PUT, "/api/v1/users/{username}/limits", replace)
    }

    @Sendable func show(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        let username = try request.parameter("username")
        let answer = try database.system { connection -> JSONValue? in
            guard let user = try UserStore.find(connection, username: username) else { return nil }
            return render(user, try UserLimitStore.find(connection, userID: user.id))
        }
        guard let answer else { throw APIError.notFound("user") }
        return .json(answer)
    }

    @Sendable func replace(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        let username = try request.parameter("username")
        let limits = try Self.parse(try request.jsonObject())
        let answer = try database.system { connection -> JSONValue? in
            guard let user = try UserStore.find(connection, username: username) else { return nil }
            try UserLimitStore.put(connection, userID: user.id, limits)
            return render(user, limits)
        }
        guard let answer else { throw APIError.notFound("user") }
        return .json(answer)
    }

    /// Every key must be a limit's name; every value null or an integer in the limit's range.
    static func parse(_ body: [String: JSONValue]) throws(APIError) -> UserLimits {
        for key in body.keys.sorted() where UserLimits.Field(rawValue: key) == nil {
            throw APIError.badRequest("unknown_field", "\(key) is not a limit; limits are \(UserLimits.Field.allCases.map(\.rawValue).joined(separator: ", "))",
                                      field: "/" + key)
        }
        var limits = UserLimits()
        for field in UserLimits.Field.allCases {
            guard let value = body[field.rawValue], !value.isNull else { continue }
            guard case .int(let number) = value, number >= field.minimum, number <= field.maximum else {
                throw APIError.badRequest("invalid_value", "\(field.rawValue) must be null (the default) or an integer from \(field.minimum) to \(field.maximum)",
                                          field: "/" + field.rawValue)
            }
            limits[field] = number
        }
        return limits
    }

    func render(_ user: User, _ limits: UserLimits) -> JSONValue {
        let effective = limits.effective(defaults)
        var set: [String: JSONValue] = [:]
        var shown: [String: JSONValue] = [:]
        for field in UserLimits.Field.allCases {
            set[field.rawValue] = limits[field].map(JSONValue.int) ?? .null
            shown[field.rawValue] = .int(effective[field])
        }
        return ["username": .string(user.username), "limits": .object(set), "effective": .object(shown)]
    }
}
