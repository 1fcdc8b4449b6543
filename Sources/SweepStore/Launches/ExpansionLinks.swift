import SweepModel

/// The edges inside one expansion (a spec list, or the first chunk of one), stored with the runs as they are
/// inserted: each run's successors among the list's runs go into its own row, and only runs that existed before
/// the list get theirs appended (`TaskRunSQL.linkSuccessors`). A later chunk then never updates a row of an
/// earlier one, rows another scheduler may hold claimed while it waits for the launch's lock that the chunk holds
/// (the deadlock of a scatter feeding a gather between two schedulers).
struct ExpansionLinks: Sendable {
    /// A run's successors among the list's runs, by name, in list order.
    private let successors: [String: [String]]
    /// The names of the list's runs (links to them need no update).
    private let names: Set<String>

    /// The links of a whole spec list: each run's successors are the later runs that name it.
    init(_ specs: some Collection<RunSpec>) {
        var names = Set<String>(minimumCapacity: specs.count)
        var successors: [String: [String]] = [:]
        for spec in specs {
            names.insert(spec.name)
            for predecessor in spec.predecessors where names.contains(predecessor) {
                successors[predecessor, default: []].append(spec.name)
            }
        }
        self.names = names
        self.successors = successors
    }

    /// The links of the first runs of a list planned alone (`Planner.expand(gate:replicaCount:in:first:)`):
    /// `successors[i]` are the successors of `specs[i]` in the whole list. Predecessors inside the list precede
    /// their successors, so every such predecessor of these runs is one of them.
    init(first specs: [RunSpec], successors: [[String]]) {
        var map: [String: [String]] = [:]
        for (spec, names) in zip(specs, successors) where !names.isEmpty { map[spec.name] = names }
        self.names = Set(specs.map(\.name))
        self.successors = map
    }

    /// The successors run `name` is inserted with.
    func successors(of name: String) -> [String] { successors[name] ?? [] }

    /// Whether `name` is a run of the list (then it was inserted with its successors).
    func contains(_ name: String) -> Bool { names.contains(name) }
}
