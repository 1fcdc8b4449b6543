import Web

/// Executors' claim queries run by this worker, for `/metrics` (`sweep_executor_claims_total`): by whether the
/// claim assigned runs or found none. An idle long-poll's claims that find nothing are what a wake herd wastes,
/// so this is how the single wake (`SingleWake`) is seen working.
final class ExecutorClaimCounts: Sendable {
    let assigned = AtomicCounter()
    let empty = AtomicCounter()

    init() {}
}
