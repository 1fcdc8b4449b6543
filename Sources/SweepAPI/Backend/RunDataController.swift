import SweepJSON
import SweepModel
import SweepStore
import Web

/// The run API's backend-workflow routes (API.md "The run API"), authorised by the running task's own token:
/// shared data (`ti.push`/`ti.pull`) and the response items and metadata a `/call` answers with. Everything is
/// scoped to the token's launch; nothing here can reach another launch or user.
struct RunDataController: Controller {
    let database: Database

    func register(_ routes: inout Routes) {
        routes.open(.PUT, "/api/v1/run/shared/{key}", putShared)
        routes.open(.GET, "/api/v1/run/shared/{key}", getShared)
        routes.open(.POST, "/api/v1/run/response/{item}", appendResponse)
        routes.open(.PUT, "/api/v1/run/response/{item}/meta", putMeta)
    }

    var authenticator: TaskTokenAuthenticator { TaskTokenAuthenticator(database: database) }

    static func key(_ request: Request, _ name: String) throws -> String {
        let key = try request.parameter(name)
        guard (1...LaunchSharedDataStore.maxKeyLength).contains(key.count), key.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else {
            throw APIError.badRequest("invalid_key", "\(name) must be 1 to \(LaunchSharedDataStore.maxKeyLength) characters without control characters", field: name)
        }
        return key
    }

    @Sendable func putShared(_ request: Request, _ context: RequestContext) throws -> Response {
        let holder = try authenticator.holder(of: request)
        let key = try Self.key(request, "key")
        guard request.body.count <= LaunchSharedDataStore.maxValueBytes else {
            throw APIError(status: .payloadTooLarge, code: "value_too_large", message: "a shared value is at most \(LaunchSharedDataStore.maxValueBytes) bytes as JSON")
        }
        let value = try request.jsonBody()
        let result = try database.tenant(holder.userID) { tx in
            try LaunchSharedDataStore(tx).put(launchID: holder.launchID, key: key, value: value, bytes: request.body.count)
        }
        if case .launchFull(let used) = result {
            throw APIError(status: .payloadTooLarge, code: "shared_data_full",
                           message: "the launch's shared data would pass \(LaunchSharedDataStore.maxLaunchBytes) bytes (\(used) used)")
        }
        return .noContent()
    }

    @Sendable func getShared(_ request: Request, _ context: RequestContext) throws -> Response {
        let holder = try authenticator.holder(of: request)
        let key = try Self.key(request, "key")
        guard let value = try database.tenant(holder.userID, { try LaunchSharedDataStore($0).get(launchID: holder.launchID, key: key) }) else {
            throw APIError(status: .notFound, code: "not_pushed", message: "no task of this launch pushed '\(key)' (yet)")
        }
        return .json(value)
    }

    @Sendable func appendResponse(_ request: Request, _ context: RequestContext) throws -> Response {
        let holder = try authenticator.holder(of: request)
        let item = try Self.key(request, "item")
        guard request.body.count <= LaunchResponseStore.maxLaunchBytes else { throw APIError.payloadTooLarge(limit: LaunchResponseStore.maxLaunchBytes) }
        let body = JSONFields(try request.jsonObject())
        guard let value = body.object["data"], case .array(let objects) = value else {
            throw APIError.invalid("invalid_response_data", "send {\"data\": [objects]}", field: "/data")
        }
        try database.tenant(holder.userID) { tx in
            let store = LaunchResponseStore(tx)
            var checked = objects
            if let definition = try store.definition(launchID: holder.launchID), let workflow = try? Workflow(json: definition),
               !workflow.backend.response.isEmpty {
                guard let schema = workflow.backend.responseItem(item) else {
                    throw APIError.invalid("unknown_response_item", "the workflow declares no response item '\(item)' (it has \(workflow.backend.response.map(\.name).joined(separator: ", ")))", field: "item")
                }
                for (index, object) in objects.enumerated() {
                    do {
                        checked[index] = try schema.check(object, at: .root / "data" / index)
                    } catch let error as ValidationError {
                        throw APIError.invalid("invalid_response_data", error.message, field: error.field)
                    }
                }
            } else {
                for (index, object) in objects.enumerated() where object.objectValue == nil {
                    throw APIError.invalid("invalid_response_data", "each item of data must be an object, not \(object.typeName)", field: "/data/\(index)")
                }
            }
            guard try store.append(launchID: holder.launchID, item: item, objects: checked, bytes: request.body.count) else {
                throw APIError(status: .payloadTooLarge, code: "response_full", message: "the launch's response would pass \(LaunchResponseStore.maxLaunchBytes) bytes")
            }
        }
        return .noContent()
    }

    @Sendable func putMeta(_ request: Request, _ context: RequestContext) throws -> Response {
        let holder = try authenticator.holder(of: request)
        let item = try Self.key(request, "item")
        guard request.body.count <= LaunchSharedDataStore.maxValueBytes else {
            throw APIError(status: .payloadTooLarge, code: "value_too_large", message: "response metadata is at most \(LaunchSharedDataStore.maxValueBytes) bytes as JSON")
        }
        let meta = JSONValue.object(try request.jsonObject())
        try database.tenant(holder.userID) { tx in
            let store = LaunchResponseStore(tx)
            // Like the data: an item the workflow does not declare is refused (when it declares any).
            if let definition = try store.definition(launchID: holder.launchID), let workflow = try? Workflow(json: definition),
               !workflow.backend.response.isEmpty, workflow.backend.responseItem(item) == nil {
                throw APIError.invalid("unknown_response_item", "the workflow declares no response item '\(item)'", field: "item")
            }
            try store.setMeta(launchID: holder.launchID, item: item, meta: meta)
        }
        return .noContent()
    }
}
