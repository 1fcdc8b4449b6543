/// The one switch between "parsed and validated" and "runs": v1.1 features whose run transitions (retry, timer,
/// signal, child launch, skip, wait-time enforcement, the launch's output at its end) are not built yet are
/// refused at registration with 422 `not_supported_yet` naming the field, instead of being stored and silently
/// ignored. The transitions work adds each feature to `supported` as its transition lands; nothing else changes.
public enum RuntimeSupport {
    public enum Feature: String, Sendable, Hashable, CaseIterable {
        /// `retries` > 0 on a task or in `config`.
        case retries
        case timerTask = "timer_task"
        case signalTask = "signal_task"
        case workflowTask = "workflow_task"
        /// An `executor_type` execution configuration (remote executors).
        case executorType = "executor_type"
        /// `enabled: false` (runs end `skipped`).
        case disabledTask = "disabled_task"
        case maxWaitTime = "max_wait_time"
        /// The workflow-level `output` expression (`WorkflowOutput`).
        case workflowOutput = "workflow_output"
    }

    /// What this build runs. Every other feature is refused at registration.
    public static let supported: Set<Feature> = [.retries, .disabledTask, .maxWaitTime, .timerTask, .signalTask, .workflowTask, .workflowOutput, .executorType]

    /// The first use of each unsupported feature, in document order, with the field to point at.
    public static func problems(in workflow: Workflow, supported: Set<Feature> = supported) -> [ValidationError] {
        var problems: [ValidationError] = []
        func refuse(_ feature: Feature, _ pointer: JSONPointer, _ what: String) {
            guard !supported.contains(feature) else { return }
            problems.append(ValidationError(pointer, .notSupportedYet, "\(what) is not supported yet by this installation"))
        }
        if let retries = workflow.config.retry.retries, retries > 0 {
            refuse(.retries, .root / "config" / "retries", "retries")
        }
        if workflow.output != nil { refuse(.workflowOutput, .root / "output", "a workflow output expression") }
        for (index, task) in workflow.tasks.enumerated() {
            let pointer = JSONPointer.root / "tasks" / index
            let properties = pointer / "properties"
            switch task.kind {
            case .executable: break
            case .timer: refuse(.timerTask, pointer / "type", "a timer task")
            case .signal: refuse(.signalTask, pointer / "type", "a signal task")
            case .workflow: refuse(.workflowTask, pointer / "type", "a workflow task (child launch)")
            }
            for (position, configuration) in task.executionConfigurations.enumerated() {
                if case .executor = configuration.executable {
                    refuse(.executorType, pointer / "execution_configurations" / position / "executor_type", "an executor_type execution configuration")
                }
            }
            let semantics = task.properties.semantics
            if let retries = semantics.retry.retries, retries > 0 { refuse(.retries, properties / "retries", "retries") }
            if !semantics.enabled { refuse(.disabledTask, properties / "enabled", "enabled: false (skipped tasks)") }
            if semantics.maxWaitTime != nil { refuse(.maxWaitTime, properties / "max_wait_time", "max_wait_time") }
        }
        return problems
    }
}
