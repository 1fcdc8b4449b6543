/// What to run. Nothing of the supervisor's own process leaks into the child: not its environment, its working
/// directory, its signal mask or dispositions, nor any file descriptor beyond the three pipes (four with
/// `resultChannel`).
public struct ProcessSpec: Sendable {
    /// argv. `arguments[0]` is absolute, relative to the working directory when it contains a `/`, or else looked up
    /// in the `PATH` of `environment` (never the supervisor's own PATH).
    public var arguments: [String]
    /// The entire child environment: nothing is inherited.
    public var environment: [String: String]
    public var standardInput: [UInt8]
    /// `nil`: a fresh private directory (mode 0700) under the supervisor's base directory, removed when the process ends.
    public var workingDirectory: String?
    /// Files written into the working directory before the start, by relative path (no `..`, not absolute).
    /// Missing intermediate directories are created; an existing file is overwritten.
    public var files: [String: [UInt8]]
    /// Past it the whole process group is killed and the outcome is `timedOut`.
    public var timeout: Duration?
    public var limits: ResourceLimits
    /// Who owns a fresh working directory (chown after the files are written): a sandbox that drops to an
    /// unprivileged user must be able to enter and write it. nil: the supervisor's own user.
    public var directoryOwner: DirectoryOwner?
    /// Report what the child writes as it arrives (`ProcessEvent.output`), for logs read while it runs; the
    /// outcome keeps its capped copy either way.
    public var reportsOutput = false
    /// The child's nice value (0-19), inherited by everything it starts: 0 leaves the supervisor's own.
    public var niceness = 0
    /// A fourth pipe, the child's fd 3, captured like stdout (same cap, no events) into `ProcessOutcome.result`: a
    /// program's answer kept apart from its own output, so that output can be the task's stdout (FunctionRunner).
    public var resultChannel = false

    public struct DirectoryOwner: Sendable, Hashable {
        public var uid: UInt32
        public var gid: UInt32
        public init(uid: UInt32, gid: UInt32) { self.uid = uid; self.gid = gid }
    }

    public init(
        arguments: [String], environment: [String: String] = [:], standardInput: [UInt8] = [],
        workingDirectory: String? = nil, files: [String: [UInt8]] = [:], timeout: Duration? = nil,
        limits: ResourceLimits = ResourceLimits(), directoryOwner: DirectoryOwner? = nil
    ) {
        self.arguments = arguments
        self.environment = environment
        self.standardInput = standardInput
        self.workingDirectory = workingDirectory
        self.files = files
        self.timeout = timeout
        self.limits = limits
        self.directoryOwner = directoryOwner
    }

    func validate() throws(ProcessSupervisorError) {
        guard let first = arguments.first, !first.isEmpty else {
            throw ProcessSupervisorError(.invalidSpec, "arguments must name a program")
        }
        if arguments.contains(where: { $0.utf8.contains(0) }) {
            throw ProcessSupervisorError(.invalidSpec, "an argument contains a NUL byte")
        }
        for (name, value) in environment {
            if name.isEmpty || name.utf8.contains(UInt8(ascii: "=")) || name.utf8.contains(0) || value.utf8.contains(0) {
                throw ProcessSupervisorError(.invalidSpec, "invalid environment variable name or value: \(name)")
            }
        }
        if let workingDirectory, workingDirectory.isEmpty || workingDirectory.utf8.contains(0) {
            throw ProcessSupervisorError(.invalidSpec, "invalid working directory")
        }
        for path in files.keys where Self.relativeComponents(path) == nil {
            throw ProcessSupervisorError(.invalidSpec, "invalid file path: \(path)")
        }
        if let timeout, timeout < .zero {
            throw ProcessSupervisorError(.invalidSpec, "negative timeout")
        }
        if !limits.isValid {
            throw ProcessSupervisorError(.invalidSpec, "negative resource limit")
        }
        if !(0...19).contains(niceness) {
            throw ProcessSupervisorError(.invalidSpec, "niceness must be 0 to 19")
        }
    }

    /// The components of a safe relative path, or nil for an absolute path, `..`, a NUL byte or no file name.
    static func relativeComponents(_ path: String) -> [String]? {
        if path.hasPrefix("/") || path.utf8.contains(0) { return nil }
        let components = path.split(separator: "/", omittingEmptySubsequences: true)
            .map(String.init).filter { $0 != "." }
        if components.isEmpty || components.contains("..") || path.hasSuffix("/") { return nil }
        return components
    }
}
