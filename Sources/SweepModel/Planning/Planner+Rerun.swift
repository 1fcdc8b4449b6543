/// What a re-run keeps: the runs that exist once some scatter gates are to decide their counts again.
extension Planner {
    /// Every run that exists given the counts `view` holds: what `start()` and the `expand` of each decided gate
    /// created together. A re-run drops the counts of the gates it re-opens from the view; the runs of the launch
    /// missing from this list are the ones those gates' expansions created, which it deletes, to be planned again
    /// from the gates' new inputs.
    public func existingRuns(in view: some LaunchView) -> [RunSpec] {
        runSpecs(for: units(in: view), excluding: UnitTable(), in: view)
    }
}
