/// The transport's request threads at one moment, for `/metrics`: how many run (waiting for a request or serving
/// one), how many sleep until a running one blocks on I/O, and how often a sleeper ran beside running threads
/// that had stopped making progress in a wait not marked as blocking (`BlockingCall`).
public struct RequestThreadCounts: Sendable, Equatable {
    public var running: Int
    public var sleeping: Int
    public var overruns: Int

    public init(running: Int, sleeping: Int, overruns: Int) {
        self.running = running
        self.sleeping = sleeping
        self.overruns = overruns
    }
}
