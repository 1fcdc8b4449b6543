/// What the supervisor reports, from its own thread.
public enum ProcessEvent: Sendable {
    /// A stdout line `::progress::<percent> <message>` (or `::progress::<message>`, percent nil). The line stays in stdout.
    case progress(id: String, percent: Double?, message: String)
    /// Exactly once per started process, after the whole group is dead and the temporary directory removed.
    case finished(id: String, ProcessOutcome)
    /// What the child wrote to stdout (`standardOutput`) or stderr, as read, for processes whose spec asks
    /// (`ProcessSpec.reportsOutput`); every one of them comes before the process's `.finished`.
    case output(id: String, standardOutput: Bool, bytes: [UInt8])
}
