/// How a child ended. A non-zero exit code is data, not an error.
public struct ProcessOutcome: Sendable {
    /// Set when the process exited; nil when a signal ended it.
    public var exitCode: Int32?
    /// The signal that ended the process (SIGKILL after a timeout or cancel, SIGXCPU past the CPU limit, …).
    public var signal: Int32?
    public var timedOut: Bool
    public var cancelled: Bool
    public var stdout: [UInt8]
    public var stderr: [UInt8]
    public var stdoutTruncated: Bool
    public var stderrTruncated: Bool
    /// Everything the child wrote, including what was dropped past the output cap.
    public var stdoutTotalBytes: Int
    public var stderrTotalBytes: Int
    /// What the child wrote to fd 3 (`ProcessSpec.resultChannel`), capped like stdout; nil without the channel.
    public var result: [UInt8]? = nil
    public var resultTruncated = false
    public var resultTotalBytes = 0
    /// From the spawn to the reaping of the process.
    public var duration: Duration

    public var succeeded: Bool { exitCode == 0 && !timedOut && !cancelled }
}
