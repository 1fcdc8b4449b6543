import Egress
import SweepCrypto
import SweepJSON
import SweepModel
import SweepStore
import Web

/// `/api/v1/destinations`: where tasks run. Credentials are stored and never returned.
struct DestinationController: Controller {
    let database: Database
    /// Registration refuses a base_url whose literal address the schedulers would refuse to connect to (names are
    /// checked when the schedulers resolve them); credentials are sealed before they reach the database.
    let security: SecuritySettings

    func register(_ routes: inout Routes) {
        routes.tenant(.POST, "/api/v1/destinations", create)
        routes.tenant(.GET, "/api/v1/destinations", list)
        routes.tenant(.GET, "/api/v1/destinations/{id}", show)
        routes.tenant(.PUT, "/api/v1/destinations/{id}", replace)
        routes.tenant(.DELETE, "/api/v1/destinations/{id}", delete)
    }

    @Sendable func create(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        let destination = try decode(request)
        do {
            try database.tenant(tenant.userID) { tx in
                try DefinitionStore(tx, .destination).insert(
                    id: destination.id, definition: destination.redacted, cloudProvider: destination.cloudProvider.rawValue,
                    sealedCredentials: try seal(destination, userID: tenant.userID))
            }
        } catch DefinitionStore.WriteError.exists {
            throw APIError.conflict("destination_exists", "a destination with id '\(destination.id)' already exists", field: "/id")
        }
        return SweepAnswer.ok("Successfully registered destination \(destination.id).", status: .created, ["id": .string(destination.id)])
    }

    @Sendable func list(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        let page = try Page(request)
        let items = try database.tenant(tenant.userID) { try DefinitionStore($0, .destination).list(after: page.after, limit: page.limit + 1) }
        return page.response(items, key: \.id, render: DefinitionRendering.render)
    }

    @Sendable func show(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        let id = try request.parameter("id")
        guard let stored = try database.tenant(tenant.userID, { try DefinitionStore($0, .destination).find(id: id) }) else {
            throw APIError.notFound("destination")
        }
        return .json(DefinitionRendering.render(stored))
    }

    @Sendable func replace(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        let id = try request.parameter("id")
        let destination = try decode(request)
        guard destination.id == id else {
            throw APIError.invalid("id_mismatch", "the body's id '\(destination.id)' differs from the path's '\(id)'", field: "/id")
        }
        do {
            try database.tenant(tenant.userID) { tx in
                try DefinitionStore(tx, .destination).replaceDestination(
                    id: id, definition: destination.redacted, cloudProvider: destination.cloudProvider.rawValue,
                    sealedCredentials: try seal(destination, userID: tenant.userID))
            }
        } catch DefinitionStore.WriteError.notFound {
            throw APIError.notFound("destination")
        }
        return SweepAnswer.ok("Successfully updated destination \(id).", ["id": .string(id)])
    }

    @Sendable func delete(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        let id = try request.parameter("id")
        guard try database.tenant(tenant.userID, { try DefinitionStore($0, .destination).delete(id: id) }) else {
            throw APIError.notFound("destination")
        }
        return .noContent()
    }

    private func decode(_ request: Request) throws -> Destination {
        let destination: Destination
        do {
            destination = try Destination(json: try request.definitionBody())
        } catch let error as ValidationError {
            throw error.apiError
        }
        if let url = destination.baseURL, let address = IPAddress(literalHostOf: url), !security.egress.permits(address) {
            let range = EgressPolicy.specialRange(of: address) ?? "special"
            throw APIError.invalid(
                "egress_denied", "base_url points at \(address) (\(range)), which this installation's egress policy refuses",
                field: "/base_url")
        }
        return destination
    }

    /// The credentials, sealed to this tenant's row; nil when there are none.
    private func seal(_ destination: Destination, userID: UserID) throws -> String? {
        guard let credentials = destination.definition["credentials"], credentials != .null else { return nil }
        guard let secrets = security.secrets else {
            throw APIError(status: .serviceUnavailable, code: "secrets_unavailable",
                           message: "this server has no SWEEP_SECRET_KEY_FILE, so it cannot store credentials", field: "/credentials")
        }
        return secrets.seal(credentials.jsonBytes,
                            associatedData: DefinitionStore.credentialsAssociatedData(userID: userID, destinationID: destination.id))
    }
}
