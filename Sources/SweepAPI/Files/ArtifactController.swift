import SweepCrypto
import SweepJSON
import SweepModel
import SweepStore
import Web

/// `/api/v1/artifacts`: a user's named files, streamed in and out. Uploads arrive as a `RequestBodyStream` (the
/// transport does not buffer them: see `SweepApplication.streamsBody`); downloads leave through a
/// `ResponseBodyProducer`. Another user's artifact is 404 on every route, like anything that is not yours.
struct ArtifactController: Controller {
    let library: ArtifactLibrary

    func register(_ routes: inout Routes) {
        routes.tenant(.GET, "/api/v1/artifacts", list)
        routes.tenant(.PUT, "/api/v1/artifacts/{name}", upload)
        routes.tenant(.GET, "/api/v1/artifacts/{name}", download)
        routes.tenant(.DELETE, "/api/v1/artifacts/{name}", delete)
    }

    @Sendable func upload(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        let name = try Self.name(request)
        let expected = try UploadDigest.expectedSHA256(request)
        let body = request.bodyStream ?? BufferedBody(request.body)
        guard let length = body.declaredLength else {
            throw APIError(status: HTTPStatus(411), code: "length_required", message: "an artifact upload needs a Content-Length header")
        }
        let record: ArtifactRecord
        do {
            record = try library.upload(userID: tenant.userID, name: name, length: Int64(length), expectedSHA256: expected) { buffer in
                body.read(into: buffer)
            }
        } catch let error as ArtifactError {
            switch error {
            case .storageLimitExceeded(let limit, _, _):
                throw APIError(status: .payloadTooLarge, code: "stored_bytes_limit", message: error.description + "; delete artifacts you no longer need (limit \(limit) bytes)")
            case .digestMismatch:
                throw APIError.invalid("digest_mismatch", error.description + "; nothing was stored", field: UploadDigest.headerField(request))
            }
        } catch let error as BlobError {
            if case .shortBody = error { throw APIError.badRequest("incomplete_body", error.description + "; nothing was stored") }
            throw Self.unavailable(error, context)
        }
        var response = Response.json(Self.render(record), status: .created)
        response.setHeader("Location", "/api/v1/artifacts/\(name)")
        response.setHeader("ETag", "\"\(record.sha256)\"")
        return response
    }

    @Sendable func list(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        let page = try Page(request)
        let records = try library.list(userID: tenant.userID, after: page.after, limit: page.limit + 1)
        return page.response(records, key: \.name, render: Self.render)
    }

    @Sendable func download(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        let name = try Self.name(request)
        guard let record = try library.find(userID: tenant.userID, name: name) else { throw APIError.notFound("artifact") }
        return .produced(ArtifactBody(library: library, record: record), length: Int(record.size), headers: [
            ("Content-Type", "application/octet-stream"),
            ("ETag", "\"\(record.sha256)\""),
            ("X-Sweep-Sha256", record.sha256),
            ("Content-Disposition", "attachment; filename=\"\(record.name)\""),
        ])
    }

    @Sendable func delete(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        let name = try Self.name(request)
        guard try library.delete(userID: tenant.userID, name: name) else { throw APIError.notFound("artifact") }
        return .noContent()
    }

    /// The blob store failed (S3 unreachable or refusing): the client may retry; the log has the detail.
    static func unavailable(_ error: BlobError, _ context: RequestContext) -> APIError {
        context.logger.error("blob store failed", metadata: ["error": "\(error)"])
        return APIError(status: .serviceUnavailable, code: "blob_store_unavailable", message: "the file store is not answering; try again shortly")
    }

    /// The `{name}` segment, checked so it is safe as a file name wherever the artifact is staged.
    static func name(_ request: Request) throws(APIError) -> String {
        let name = try request.parameter("name")
        if let problem = ArtifactName.problem(name) { throw APIError.invalid("invalid_name", problem, field: "name") }
        return name
    }

    static func render(_ record: ArtifactRecord) -> JSONValue {
        ["name": .string(record.name), "size": .int(record.size), "sha256": .string(record.sha256),
         "created_at": Timestamp.json(record.createdAt)]
    }
}
