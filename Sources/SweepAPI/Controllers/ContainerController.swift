import SweepJSON
import SweepModel
import SweepStore
import Web

/// `/api/v1/containers`: container definitions (image, command, environment).
struct ContainerController: Controller {
    let database: Database

    func register(_ routes: inout Routes) {
        routes.tenant(.POST, "/api/v1/containers", create)
        routes.tenant(.GET, "/api/v1/containers", list)
        routes.tenant(.GET, "/api/v1/containers/{id}", show)
        routes.tenant(.DELETE, "/api/v1/containers/{id}", delete)
    }

    @Sendable func create(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        let container: ContainerDefinition
        do {
            container = try ContainerDefinition(json: try request.definitionBody())
        } catch let error as ValidationError {
            throw error.apiError
        }
        try database.tenant(tenant.userID) { tx in
            guard try DefinitionStore(tx, .destination).exists(id: container.destinationID) else {
                throw APIError.invalid("unknown_destination", "destination '\(container.destinationID)' is not registered", field: "/destination_id")
            }
            do {
                try DefinitionStore(tx, .container).insert(id: container.id, definition: container.definition, destinationID: container.destinationID)
            } catch DefinitionStore.WriteError.exists {
                throw APIError.conflict("container_exists", "a container definition with id '\(container.id)' already exists", field: "/id")
            }
        }
        return SweepAnswer.ok("Successfully registered container \(container.id).", status: .created, ["id": .string(container.id)])
    }

    @Sendable func list(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        let page = try Page(request)
        let items = try database.tenant(tenant.userID) { try DefinitionStore($0, .container).list(after: page.after, limit: page.limit + 1) }
        return page.response(items, key: \.id, render: DefinitionRendering.render)
    }

    @Sendable func show(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        let id = try request.parameter("id")
        guard let stored = try database.tenant(tenant.userID, { try DefinitionStore($0, .container).find(id: id) }) else {
            throw APIError.notFound("container definition")
        }
        return .json(DefinitionRendering.render(stored))
    }

    @Sendable func delete(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        let id = try request.parameter("id")
        guard try database.tenant(tenant.userID, { try DefinitionStore($0, .container).delete(id: id) }) else {
            throw APIError.notFound("container definition")
        }
        return .noContent()
    }
}
