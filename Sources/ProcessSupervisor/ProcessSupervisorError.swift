import Glibc

/// Why a process could not be started. How a started process ended is never an error: see `ProcessOutcome`.
public struct ProcessSupervisorError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let invalidSpec = Code("invalid_spec")
        public static let duplicateID = Code("duplicate_id")
        public static let executableNotFound = Code("executable_not_found")
        public static let workingDirectory = Code("working_directory")
        public static let limitsUnavailable = Code("limits_unavailable")
        public static let spawnFailed = Code("spawn_failed")
    }

    public var code: Code
    public var message: String
    /// The errno of the failing system call, if one failed.
    public var errno: Int32?

    public init(_ code: Code, _ message: String, errno: Int32? = nil) {
        self.code = code
        self.message = message
        self.errno = errno
    }

    public var description: String {
        if let errno { return "\(code): \(message): \(String(cString: strerror(errno)))" }
        return "\(code): \(message)"
    }
}
