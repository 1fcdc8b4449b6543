/// The executables one user has registered: validation checks a workflow only against its owner's definitions,
/// so a workflow can never name another tenant's function.
public struct DefinitionCatalog: Sendable, Hashable {
    public var functionIDs: Set<String>
    public var containerIDs: Set<String>

    public init(functionIDs: Set<String> = [], containerIDs: Set<String> = []) {
        self.functionIDs = functionIDs
        self.containerIDs = containerIDs
    }
}
