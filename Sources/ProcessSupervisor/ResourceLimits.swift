/// Limits applied to one child process. `nil` leaves the limit inherited from the supervisor's process.
public struct ResourceLimits: Sendable, Hashable {
    /// RLIMIT_CPU, soft and hard: past it the kernel sends SIGXCPU, then SIGKILL.
    public var cpuSeconds: Int?
    /// RLIMIT_AS in bytes.
    public var addressSpaceBytes: Int?
    /// RLIMIT_NOFILE.
    public var openFiles: Int?
    /// RLIMIT_NPROC. The kernel counts it per real user id across the whole machine, not per task, and ignores
    /// it for root (CAP_SYS_RESOURCE/CAP_SYS_ADMIN): it only bounds a fork bomb when tasks run as an unprivileged user.
    public var processes: Int?
    /// Bytes kept of each of stdout and stderr (and of the result channel); the rest is read, counted and dropped.
    public var outputBytes: Int

    public static let defaultOutputBytes = 1 << 20

    public init(
        cpuSeconds: Int? = nil, addressSpaceBytes: Int? = nil, openFiles: Int? = nil, processes: Int? = nil,
        outputBytes: Int = ResourceLimits.defaultOutputBytes
    ) {
        self.cpuSeconds = cpuSeconds
        self.addressSpaceBytes = addressSpaceBytes
        self.openFiles = openFiles
        self.processes = processes
        self.outputBytes = outputBytes
    }

    /// The util-linux `prlimit` options for the kernel limits that are set; empty when none is.
    var prlimitOptions: [String] {
        var options: [String] = []
        if let cpuSeconds { options.append("--cpu=\(cpuSeconds)") }
        if let addressSpaceBytes { options.append("--as=\(addressSpaceBytes)") }
        if let openFiles { options.append("--nofile=\(openFiles)") }
        if let processes { options.append("--nproc=\(processes)") }
        return options
    }

    var isValid: Bool {
        [cpuSeconds, addressSpaceBytes, openFiles, processes].allSatisfy { ($0 ?? 0) >= 0 } && outputBytes >= 0
    }
}
