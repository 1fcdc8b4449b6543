import Foundation
import SweepCrypto
import SweepJSON
import SweepModel
import SweepStates
import SweepStore
import Web

/// Backend workflows (API.md "Backend workflows", issue 15): `/api/v1/workflows/{id}/call` runs a workflow like an
/// endpoint. The request is checked against the workflow's `request` schema, shown to its interceptor, launched
/// with input `{"method","url_params","req_body","req_form"}`, and answered with the response items its tasks
/// composed. The wait is parked (`ParkedRequests`, DESIGN §3): no request thread waits for a launch, nor for an
/// interceptor, which runs as a launch of its own (`InterceptedCall`).
struct CallController: Controller {
    let database: Database
    var limits = LimitDefaults()
    /// Where foreground calls park; nil (tests of the responder alone) answers like `?background=true`.
    var parking: ParkedRequests? = nil
    let artifacts: ArtifactLibrary

    func register(_ routes: inout Routes) {
        for method in [HTTPMethod.GET, .POST, .PUT, .DELETE] {
            routes.tenant(method, "/api/v1/workflows/{id}/call", call)
        }
        routes.tenant(.GET, "/api/v1/workflows/{id}/call/openapi.json", openAPI)
    }

    @Sendable func call(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        let workflowID = try request.parameter("id")
        let userID = tenant.userID
        let received = ContinuousClock.now
        let (workflow, version) = try Self.workflow(database, workflowID, userID)
        let background = try Self.flag(request.query["background"], "background")
        let key = request.header("idempotency-key")
        if let key, !(1...200).contains(key.count) {
            throw APIError.badRequest("invalid_value", "Idempotency-Key must be 1 to 200 characters", field: "Idempotency-Key")
        }

        var urlParams = request.query
        urlParams["background"] = nil
        let (body, form, files) = try readBody(request, userID: userID)
        let schema = workflow.backend.request ?? RequestSchema()
        var input: JSONValue
        do {
            input = try schema.input(method: request.method.rawValue, urlParams: urlParams, body: body, form: form)
        } catch {
            throw APIError.invalid("invalid_request", error.message, field: error.field)
        }
        if !files.isEmpty, case .object(var object) = input, case .object(var fields)? = object["req_form"] {
            for (field, file) in files { fields[field] = file }
            object["req_form"] = .object(fields)
            input = .object(object)
        }
        // A retried call with the same key (on this workflow) joins the first launch without running the interceptor again.
        let existing = try key.flatMap { key in try self.database.tenant(userID) { try LaunchStore($0).launchID(workflowID: workflowID, idempotencyKey: key) } }
        try LaunchController.checkInput(input)
        let timeout = workflow.config.callTimeout ?? BackendDefinition.defaultCallTimeout
        if existing == nil, let interceptor = workflow.backend.interceptor {
            guard let parking else {
                throw APIError(status: .serviceUnavailable, code: "interceptor_unavailable", message: "this server cannot wait for an interceptor")
            }
            let call = InterceptedCall(
                database: database, limits: limits, parking: parking, userID: userID, workflowID: workflowID, schema: schema, request: input,
                key: key, background: background, declared: workflow.backend.response.map(\.name), callDeadline: received + .seconds(timeout),
                timeoutSeconds: workflow.config.interceptorTimeout ?? BackendDefinition.defaultInterceptorTimeout)
            return try call.park(workflow: workflow, version: version, interceptor: interceptor)
        }

        let database = self.database
        let limits = self.limits
        let declared = workflow.backend.response.map(\.name)
        // The launch's id, and whether this call created it (rather than joined it by its idempotency key).
        let create: () throws -> (String, Bool) = {
            if let existing { return (existing, false) }
            return try Self.launch(database, limits, userID, workflowID, input: input, key: key)
        }
        guard !background, let parking else { return try Self.handedOver(database, try create().0, userID) }
        return try parking.park {
            let (launchID, created) = try create()
            return ParkedRequest(
                channel: SchedulerChannels.launchDone, key: launchID, deadline: .now + .seconds(timeout), startedHere: created,
                check: { try Self.answer(database, launchID, userID, declared) },
                timedOut: { try Self.handedOver(database, launchID, userID) })
        }
    }

    @Sendable func openAPI(_ request: Request, _ tenant: Tenant, _ context: RequestContext) throws -> Response {
        let (workflow, _) = try Self.workflow(database, try request.parameter("id"), tenant.userID)
        return .json(CallOpenAPI.document(for: workflow))
    }

    // MARK: Steps

    /// The workflow's latest version, parsed, and its number.
    static func workflow(_ database: Database, _ workflowID: String, _ userID: UserID) throws -> (Workflow, Int) {
        guard let stored = try database.tenant(userID, { try WorkflowStore($0).find(workflowID: workflowID) }) else {
            throw APIError.notFound("workflow")
        }
        do {
            return (try Workflow(json: stored.definition), stored.version)
        } catch {
            throw APIError.invalid("invalid_definition", "the stored workflow cannot be read: \(error.message)", field: error.field)
        }
    }

    static func flag(_ value: String?, _ name: String) throws -> Bool {
        switch value?.lowercased() {
        case nil, "false", "0", "": return false
        case "true", "1": return true
        default: throw APIError.badRequest("invalid_parameter", "\(name) must be true or false", field: name)
        }
    }

    /// The JSON body, or the form's fields (files stored as artifacts, named in the field as
    /// `{"artifact","filename","size","sha256"}`); 415 for any other content type.
    func readBody(_ request: Request, userID: UserID) throws -> (JSONValue?, [String: String], [String: JSONValue]) {
        guard !request.body.isEmpty else { return (nil, [:], [:]) }
        let contentType = (request.header("content-type") ?? "application/json").lowercased()
        let mediaType = contentType.split(separator: ";").first.map { String($0).trimmingSpaces } ?? ""
        switch mediaType {
        case "application/json", "":
            return (try request.jsonBody(), [:], [:])
        case "application/x-www-form-urlencoded":
            return (nil, QueryString.parse(String(decoding: request.body, as: UTF8.self)), [:])
        case "multipart/form-data":
            guard let boundary = MultipartForm.boundary(of: request.header("content-type") ?? "") else {
                throw APIError.badRequest("invalid_form", "multipart/form-data needs a boundary")
            }
            let parsed: MultipartForm
            do {
                parsed = try MultipartForm(body: request.body, boundary: boundary)
            } catch {
                throw APIError.badRequest("invalid_form", error.message)
            }
            // A file field reads as its JSON text while the schema checks it (an `object` parameter accepts it),
            // then as the object itself.
            var fields = parsed.fields
            var files: [String: JSONValue] = [:]
            for file in parsed.files {
                let stored = try storeFile(file, userID: userID)
                fields[file.field] = stored.jsonString
                files[file.field] = stored
            }
            return (nil, fields, files)
        default:
            throw APIError(status: .unsupportedMediaType, code: "unsupported_media_type",
                           message: "send application/json, application/x-www-form-urlencoded or multipart/form-data, not \(mediaType)")
        }
    }

    /// A file of a form becomes an artifact of the caller, `call-<random>-<file name>`, so tasks read it as any
    /// artifact; the form field holds where it went.
    func storeFile(_ file: MultipartForm.File, userID: UserID) throws -> JSONValue {
        let safe = String(file.filename.unicodeScalars.filter { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0)) }.prefix(80))
        let name = "call-" + Hex.encode(SecureRandom.bytes(8)) + "-" + (safe.isEmpty ? "file" : safe)
        var offset = 0
        let record: ArtifactRecord
        do {
            record = try artifacts.upload(userID: userID, name: name, length: Int64(file.bytes.count)) { buffer in
                let count = min(buffer.count, file.bytes.count - offset)
                guard count > 0 else { return 0 }
                file.bytes.withUnsafeBytes { source in
                    buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[offset..<offset + count]))
                }
                offset += count
                return count
            }
        } catch let error as ArtifactError {
            throw APIError(status: .payloadTooLarge, code: "file_not_stored", message: "the form's file \(file.filename) cannot be stored: \(error)", field: "/form/\(file.field)")
        }
        return ["artifact": .string(record.name), "filename": .string(file.filename), "size": .int(record.size), "sha256": .string(record.sha256)]
    }

    /// The call's launch and whether this call created it (rather than joined it by its idempotency key); `also`
    /// runs in the same transaction (an intercepted call deletes its interceptor's launch).
    static func launch(_ database: Database, _ limits: LimitDefaults, _ userID: UserID, _ workflowID: String, input: JSONValue, key: String?,
                       also: (TenantTransaction) throws -> Void = { _ in }) throws -> (String, Bool) {
        let result: LaunchStore.CreateResult
        do {
            result = try database.tenant(userID) { tx in
                let effective = try UserLimitStore.find(tx.connection, userID: tx.userID).effective(limits)
                let created = try LaunchStore(tx).create(workflowID: workflowID, input: input, idempotencyKey: key, limits: effective)
                try also(tx)
                return created
            }
        } catch let error as ValidationError {
            throw error.apiError
        } catch let error as LimitExceeded {
            throw error.apiError
        }
        switch result {
        case .workflowNotFound, .versionNotFound: throw APIError.notFound("workflow")
        case .created(let id): return (id, true)
        case .existing(let id): return (id, false)
        }
    }

    /// 202 `{"launch_id","state"}` with `Location`: the call goes on in the background.
    static func handedOver(_ database: Database, _ launchID: String, _ userID: UserID) throws -> Response {
        guard let summary = try database.tenant(userID, { try LaunchStore($0).summary(id: launchID) }) else { throw APIError.notFound("launch") }
        var response = Response.json(["launch_id": .string(summary.id), "workflow_id": .string(summary.workflowID), "state": .string(summary.state)],
                                     status: .accepted)
        response.setHeader("Location", "/api/v1/launches/\(summary.id)")
        response.setHeader("X-Sweep-Launch-Id", summary.id)
        return response
    }

    /// The call's answer once the launch ended, nil while it runs: 200 with the composed response, or 502
    /// `workflow_failed` naming the launch and the failing run's error.
    static func answer(_ database: Database, _ launchID: String, _ userID: UserID, _ declared: [String]) throws -> Response? {
        try database.tenant(userID) { tx in
            guard let summary = try LaunchStore(tx).summary(id: launchID), LaunchState.isTerminal(summary.state) else { return nil }
            let store = LaunchResponseStore(tx)
            var response: Response
            if summary.state == LaunchState.succeeded.rawValue {
                response = .json(try store.answer(launchID: launchID, declaredItems: declared))
            } else {
                let failure = try store.failure(launchID: launchID)
                let message = failure.map { "task run \($0.run) failed: \($0.error ?? "no error recorded")" } ?? "the launch ended \(summary.state)"
                var error: [String: JSONValue] = ["code": "workflow_failed", "message": .string(message), "launch_id": .string(launchID),
                                                  "state": .string(summary.state)]
                if let failure {
                    error["run_id"] = .string(failure.run)
                    error["run_error"] = failure.error.map(JSONValue.string) ?? .null
                }
                response = .json(["error": .object(error)], status: .badGateway)
            }
            response.setHeader("X-Sweep-Launch-Id", launchID)
            return response
        }
    }
}
