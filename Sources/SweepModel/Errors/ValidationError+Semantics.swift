/// Codes of the v1.1 task semantics (API.md "Task semantics").
extension ValidationError.Code {
    /// Parsed and valid, but this installation cannot run it yet: see `RuntimeSupport`.
    public static let notSupportedYet: Self = "not_supported_yet"
    public static let invalidTaskKind: Self = "invalid_task_kind"
    public static let unknownWorkflow: Self = "unknown_workflow"
    public static let unknownWorkflowVersion: Self = "unknown_workflow_version"
    public static let workflowCycle: Self = "workflow_cycle"
}
