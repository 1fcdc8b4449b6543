/// The executables one user has registered: validation checks a workflow only against its owner's definitions,
/// so a workflow can never name another tenant's function.
public struct DefinitionCatalog: Sendable, Hashable {
    public var functionIDs: Set<String>
    public var containerIDs: Set<String>
    /// Latest version of each registered workflow, for `workflow` tasks; nil: not checked.
    public var workflowVersions: [String: Int]?

    public init(functionIDs: Set<String> = [], containerIDs: Set<String> = [], workflowVersions: [String: Int]? = nil) {
        self.functionIDs = functionIDs
        self.containerIDs = containerIDs
        self.workflowVersions = workflowVersions
    }
}
