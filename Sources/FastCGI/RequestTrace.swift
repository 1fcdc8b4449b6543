import Service

/// The `traceparent` a request's log lines carry: the caller's trace when it sent a valid `traceparent`, else the
/// trace of the launch the path names (launch = trace, as for task calls), else a trace of this request alone
/// (the 32 hex digits of its `RequestID`). The span is this request's.
enum RequestTrace {
    static func traceParent(header: String?, path: String, requestID: String) -> TraceParent? {
        let span = spanID(requestID)
        if let header, let received = TraceParent(header: header) { return received.child(spanID: span) }
        if let launch = launchID(in: path), let trace = TraceParent(traceID: launch, spanID: span) { return trace }
        return TraceParent(traceID: requestID.count == 32 ? requestID : padded(requestID, 32), spanID: span)
    }

    /// `/api/v1/launches/<uuid>…` -> the uuid's 32 hex digits.
    static func launchID(in path: String) -> String? {
        let prefix = "/api/v1/launches/"
        guard path.hasPrefix(prefix) else { return nil }
        let candidate = path.dropFirst(prefix.count).prefix(36)
        guard candidate.count == 36 else { return nil }
        let hex = candidate.lowercased().filter { $0 != "-" }
        return hex.count == 32 ? hex : nil
    }

    static func spanID(_ requestID: String) -> String {
        requestID.count >= 16 ? String(requestID.suffix(16)).lowercased() : padded(requestID, 16)
    }

    private static func padded(_ hex: String, _ count: Int) -> String {
        String(repeating: "0", count: max(0, count - hex.count)) + hex.lowercased().suffix(count)
    }
}
