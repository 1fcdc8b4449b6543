import SweepCrypto
import SweepJSON
import SweepModel
import SweepStore
import Web

/// `/api/v1/containers`: container definitions (image, command, environment) and their images.
struct ContainerController: Controller {
    /// Largest image archive accepted (nginx allows the same on the image route only).
    static let maxImageBytes = 128 << 20

    let database: Database

    func register(_ routes: inout Routes) {
        routes.tenant(.POST, "/api/v1/containers", create)
        routes.tenant(.GET, "/api/v1/containers", list)
        routes.tenant(.GET, "/api/v1/containers/{id}", show)
        routes.tenant(.PUT, "/api/v1/containers/{id}", replace)
        routes.tenant(.DELETE, "/api/v1/containers/{id}", delete)
        routes.tenant(.PUT, "/api/v1/containers/{id}/image", uploadImage)
    }

    @Sendable func create(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        let container = try decode(request)
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
        let found = try database.tenant(tenant.userID) { tx -> (StoredDefinition, ContainerImageStore.Runnable?)? in
            guard let stored = try DefinitionStore(tx, .container).find(id: id) else { return nil }
            let container = try? ContainerDefinition(json: stored.definition)
            return (stored, try container.flatMap { try ContainerImageStore(tx).find(name: $0.imageName, tag: $0.imageTag) })
        }
        guard let (stored, image) = found else { throw APIError.notFound("container definition") }
        // Whether its image was uploaded, and which: the digest the upload answered, and the id podman runs.
        guard case .object(var rendered) = DefinitionRendering.render(stored) else { return .json(DefinitionRendering.render(stored)) }
        rendered["image_digest"] = image.map { .string($0.digest) } ?? .null
        rendered["image_id"] = image.map { .string($0.imageID) } ?? .null
        return .json(.object(rendered))
    }

    @Sendable func delete(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        let id = try request.parameter("id")
        guard try database.tenant(tenant.userID, { try DefinitionStore($0, .container).delete(id: id) }) else {
            throw APIError.notFound("container definition")
        }
        return .noContent()
    }

    /// SWEEP: pushing a definition again updates cpu, memory and command (and here anything else it holds).
    @Sendable func replace(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        let id = try request.parameter("id")
        let container = try decode(request)
        guard container.id == id else {
            throw APIError.invalid("id_mismatch", "the body's id '\(container.id)' differs from the path's '\(id)'", field: "/id")
        }
        do {
            try database.tenant(tenant.userID) { tx in
                guard try DefinitionStore(tx, .destination).exists(id: container.destinationID) else {
                    throw APIError.invalid("unknown_destination", "destination '\(container.destinationID)' is not registered", field: "/destination_id")
                }
                try DefinitionStore(tx, .container).replaceContainer(id: id, definition: container.definition, destinationID: container.destinationID)
            }
        } catch DefinitionStore.WriteError.notFound {
            throw APIError.notFound("container definition")
        }
        return SweepAnswer.ok("Successfully updated container \(id).", ["id": .string(id)])
    }

    /// The definition's image, from a `docker save` / `podman save` / OCI archive. Checked here (the archive must
    /// hold `image_name:image_tag`), stored in PostgreSQL, and loaded into podman by each scheduler host on first use.
    @Sendable func uploadImage(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        let id = try request.parameter("id")
        let overwrite = try Self.flag(request.query["overwrite"], name: "overwrite")
        guard request.body.count <= Self.maxImageBytes else { throw APIError.payloadTooLarge(limit: Self.maxImageBytes) }
        guard let stored = try database.tenant(tenant.userID, { try DefinitionStore($0, .container).find(id: id) }),
            let container = try? ContainerDefinition(json: stored.definition)
        else {
            throw APIError.notFound("container definition")
        }
        let reference = container.imageName + ":" + container.imageTag
        let archive: ImageArchive
        do {
            archive = try ImageArchive(request.body)
        } catch {
            throw APIError.badRequest("invalid_image_archive", "the body must be a docker-save or OCI image archive (tar): \(error)")
        }
        guard let image = archive.image(named: container.imageName, tag: container.imageTag) else {
            let found = archive.images.flatMap(\.names)
            throw APIError.invalid(
                "image_not_in_archive", "the archive does not hold \(reference)" + (found.isEmpty ? "" : " (it holds \(found.joined(separator: ", ")))"),
                field: "/image_name")
        }
        guard let imageID = image.config.map({ "sha256:" + Digest.sha256Hex($0) }) ?? image.configDigest,
            imageID.hasPrefix("sha256:"), imageID.utf8.count == 71,
            imageID.utf8.dropFirst(7).allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) })
        else {
            throw APIError.badRequest("invalid_image_archive", "the image's config digest is not a sha256 digest")
        }
        let digest = "sha256:" + Digest.sha256Hex(request.body)
        let result = try database.tenant(tenant.userID) { tx in
            try ContainerImageStore(tx).store(
                name: container.imageName, tag: container.imageTag, imageID: imageID, digest: digest, archive: request.body, overwrite: overwrite)
        }
        guard result == .stored else {
            throw APIError.conflict("image_exists", "image \(reference) is already uploaded; add ?overwrite=true to replace it")
        }
        return SweepAnswer.ok("Successfully uploaded image \(reference).", ["image": .string(reference), "digest": .string(digest), "image_id": .string(imageID)])
    }

    private func decode(_ request: Request) throws -> ContainerDefinition {
        do {
            return try ContainerDefinition(json: try request.definitionBody())
        } catch let error as ValidationError {
            throw error.apiError
        }
    }

    private static func flag(_ value: String?, name: String) throws -> Bool {
        switch value {
        case nil, "false", "0": return false
        case "true", "1", "": return true
        default: throw APIError.badRequest("invalid_parameter", "\(name) must be true or false", field: name)
        }
    }
}
