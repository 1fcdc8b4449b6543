/// Runs that came into existence, in an order where every predecessor precedes its successors (those not in the
/// list exist already). The scheduler inserts them in one transaction with their predecessor edges.
public struct Expansion: Sendable, Hashable {
    public var runs: [RunSpec]

    public init(runs: [RunSpec] = []) { self.runs = runs }
}
