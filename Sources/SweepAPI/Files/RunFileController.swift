import SweepJSON
import SweepModel
import SweepStore
import Web

/// A run's files and logs (API.md "Files"): its output files listed and downloaded, its stdout and stderr apart
/// (and followed while it runs), and the run API's side, authorised by the run's own task token: the artifacts it
/// declared, and output files it uploads itself (HTTP functions, executors). Another user's run is 404 everywhere.
struct RunFileController: Controller {
    let artifacts: ArtifactLibrary
    let outputs: RunFileLibrary
    let parking: ParkedRequests?
    var logStreams: (any RunLogStreams)? = nil
    var limits = LimitDefaults()
    var admission = StreamAdmission()
    var database: Database { artifacts.database }

    init(artifacts: ArtifactLibrary, parking: ParkedRequests?, logStreams: (any RunLogStreams)? = nil, limits: LimitDefaults = LimitDefaults(),
         admission: StreamAdmission = StreamAdmission()) {
        self.artifacts = artifacts
        outputs = RunFileLibrary(database: artifacts.database, blobs: artifacts.blobs, limits: artifacts.limits)
        self.parking = parking
        self.logStreams = logStreams
        self.limits = limits
        self.admission = admission
    }

    func register(_ routes: inout Routes) {
        routes.tenant(.GET, "/api/v1/launches/{launch_id}/tasks/{run_id}/files", list)
        routes.tenant(.GET, "/api/v1/launches/{launch_id}/tasks/{run_id}/files/{name}", download)
        routes.tenant(.GET, "/api/v1/launches/{launch_id}/tasks/{run_id}/logs", RunLogReader(database: database, parking: parking, logStreams: logStreams, limits: limits, admission: admission).logs)
        routes.open(.GET, "/api/v1/run/artifacts/{name}", runArtifact)
        routes.open(.PUT, "/api/v1/run/files/{name}", runUpload)
    }

    @Sendable func list(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        let launchID = try request.parameter("launch_id")
        let runID = try request.parameter("run_id")
        // A list like every other (API.md: limit and cursor): a run may keep up to 256 files (frame_*.png).
        let page = try Page(request)
        guard let records = try outputs.list(userID: tenant.userID, launchID: launchID, runName: runID, after: page.after, limit: page.limit + 1) else {
            throw APIError.notFound("task run")
        }
        return page.response(records, key: \.name, render: Self.render)
    }

    @Sendable func download(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        let launchID = try request.parameter("launch_id")
        let runID = try request.parameter("run_id")
        let name = try ArtifactController.name(request)
        guard let record = try outputs.find(userID: tenant.userID, launchID: launchID, runName: runID, name: name) else {
            throw APIError.notFound("output file")
        }
        return .produced(RunFileBody(library: outputs, record: record), length: Int(record.size), headers: [
            ("Content-Type", "application/octet-stream"),
            ("ETag", "\"\(record.sha256)\""),
            ("X-Sweep-Sha256", record.sha256),
            ("Content-Disposition", "attachment; filename=\"\(record.name)\""),
        ])
    }

    /// `GET /api/v1/run/artifacts/{name}`: an artifact the calling run declared in `artifacts`; 404 otherwise
    /// (undeclared, or not uploaded), so a token reads no more of its user's files than its task named.
    @Sendable func runArtifact(_ request: Request, _ context: RequestContext) throws -> Response {
        let holder = try TaskTokenAuthenticator(database: database).holder(of: request)
        let name = try ArtifactController.name(request)
        guard try database.system({ try RunDeclarations.declaresArtifact($0, runRowID: holder.runRowID, name: name) }),
              let record = try artifacts.find(userID: holder.userID, name: name) else {
            throw APIError.notFound("artifact")
        }
        return .produced(ArtifactBody(library: artifacts, record: record), length: Int(record.size), headers: [
            ("Content-Type", "application/octet-stream"),
            ("ETag", "\"\(record.sha256)\""),
            ("X-Sweep-Sha256", record.sha256),
        ])
    }

    /// `PUT /api/v1/run/files/{name}`: raw bytes (streamed), kept as an output file of the calling run.
    @Sendable func runUpload(_ request: Request, _ context: RequestContext) throws -> Response {
        let holder = try TaskTokenAuthenticator(database: database).holder(of: request)
        let name = try ArtifactController.name(request)
        let body = request.bodyStream ?? BufferedBody(request.body)
        guard let length = body.declaredLength else {
            throw APIError(status: HTTPStatus(411), code: "length_required", message: "an output file upload needs a Content-Length header")
        }
        let record: RunFileRecord
        do {
            record = try outputs.store(userID: holder.userID, launchID: holder.launchID, runID: holder.runRowID, name: name, length: Int64(length)) {
                body.read(into: $0)
            }
        } catch let error as RunFileError {
            switch error {
            case .storageLimitExceeded(let limit, _, _):
                throw APIError(status: .payloadTooLarge, code: "stored_bytes_limit", message: error.description + " (limit \(limit) bytes)")
            case .tooManyFiles: throw APIError.conflict("too_many_files", error.description)
            case .invalidName(let problem): throw APIError.invalid("invalid_name", problem, field: "name")
            }
        } catch let error as BlobError {
            if case .shortBody = error { throw APIError.badRequest("incomplete_body", error.description + "; nothing was stored") }
            throw ArtifactController.unavailable(error, context)
        }
        var response = Response.json(Self.render(record), status: .created)
        response.setHeader("Location", "/api/v1/launches/\(holder.launchID)/tasks/\(holder.runName)/files/\(name)")
        return response
    }

    static func render(_ record: RunFileRecord) -> JSONValue {
        ["name": .string(record.name), "size": .int(record.size), "sha256": .string(record.sha256),
         "created_at": Timestamp.json(record.createdAt)]
    }
}
