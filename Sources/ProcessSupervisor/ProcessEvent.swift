/// What the supervisor reports, from its own thread.
public enum ProcessEvent: Sendable {
    /// A stdout line `::progress::<percent> <message>` (or `::progress::<message>`, percent nil). The line stays in stdout.
    case progress(id: String, percent: Double?, message: String)
    /// Exactly once per started process, after the whole group is dead and the temporary directory removed.
    case finished(id: String, ProcessOutcome)
}
