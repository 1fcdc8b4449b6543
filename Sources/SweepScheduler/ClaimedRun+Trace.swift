import Service

extension ClaimedRun {
    /// This run as a span of its launch's trace, for the `traceparent` of its HTTP call and of log lines about it.
    var traceParent: String {
        TraceParent.header(launchID: launchID, runRowID: id) ?? ""
    }
}
