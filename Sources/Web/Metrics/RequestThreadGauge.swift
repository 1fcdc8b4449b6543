/// Reports the transport's request threads (FastCGI's `ActiveThreadGate`), so the application can publish them
/// without depending on the transport.
public protocol RequestThreadGauge: Sendable {
    var requestThreads: RequestThreadCounts { get }
}
