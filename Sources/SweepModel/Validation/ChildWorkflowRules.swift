/// What registration can check of `workflow` tasks without running anything: the child workflow exists (in the
/// catalog, when it lists workflows), the pinned version exists, and a workflow does not launch its own latest
/// version (an endless chain of child launches). Deeper cycles through other workflows are stopped at launch by
/// the nesting limit (`ModelLimits.maxWorkflowNesting`), since the other workflow may change after registration.
enum ChildWorkflowRules {
    static func problems(in workflow: Workflow, catalog: DefinitionCatalog?) -> [ValidationError] {
        var problems: [ValidationError] = []
        for (index, task) in workflow.tasks.enumerated() {
            guard case .workflow(let childID, let version) = task.kind else { continue }
            let pointer = JSONPointer.root / "tasks" / index / "properties"
            if childID == workflow.id, version == nil {
                problems.append(ValidationError(pointer / "workflow_id", .workflowCycle,
                    "task \(task.id) launches workflow \(childID), the workflow itself, so every launch would launch another; pin an older version"))
                continue
            }
            guard let versions = catalog?.workflowVersions else { continue }
            // The workflow being registered becomes version latest+1 of its id, so its own older versions exist.
            guard let latest = versions[childID] else {
                problems.append(ValidationError(pointer / "workflow_id", .unknownWorkflow, "workflow \(childID) is not registered"))
                continue
            }
            if let version, version > latest {
                problems.append(ValidationError(pointer / "version", .unknownWorkflowVersion, "workflow \(childID) has no version \(version) (latest is \(latest))"))
            }
        }
        return problems
    }
}
