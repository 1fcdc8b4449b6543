import SweepJSON

/// What a task is (API.md v1.1 "Task kinds"): an executable with execution configurations, or one of the kinds that
/// execute nothing and wait instead. Written `"type": "timer"|"signal"|"workflow"` on the task, with the kind's
/// parameters in its `properties`.
public enum TaskKind: Sendable, Hashable {
    case executable
    /// Waits `duration` seconds; produces no output.
    case timer(duration: Double)
    /// Waits for `POST /launches/{id}/signals/{task_id}`; fails with `signal_timeout` after `timeout` seconds.
    case signal(timeout: Double?)
    /// Launches `workflowID` (its latest version, or `version`) as a child launch with this task's input.
    case workflow(workflowID: String, version: Int?)

    public var typeName: String {
        switch self {
        case .executable: "executable"
        case .timer: "timer"
        case .signal: "signal"
        case .workflow: "workflow"
        }
    }

    public static let typeNames = ["timer", "signal", "workflow"]

    /// The kind named by `type`, its parameters read from the task's `properties` (at `propertiesPointer`).
    init(type: String, at pointer: JSONPointer, properties: JSONValue?, propertiesPointer: JSONPointer) throws(ValidationError) {
        let reader = try FieldReader(properties ?? .object([:]), at: propertiesPointer, what: "properties")
        switch type {
        case "timer":
            guard let duration = try reader.seconds("duration", minimum: 0) else {
                throw ValidationError(propertiesPointer / "duration", .missingField, "a timer task needs duration (seconds)")
            }
            self = .timer(duration: duration)
        case "signal":
            self = .signal(timeout: try reader.seconds("timeout", minimum: 0, inclusive: false))
        case "workflow":
            let id = try reader.requiredIdentifier("workflow_id")
            self = .workflow(workflowID: id, version: try reader.integer("version", in: 1...Int64(Int32.max)))
        default:
            throw ValidationError(pointer, .invalidValue, "type must be one of \(Self.typeNames.joined(separator: ", ")), not \"\(type)\"")
        }
    }
}
