import Glibc

/// Turns a `ProcessSpec` into a running `ChildProcess` with posix_spawn(3).
///
/// Not Foundation.Process: it inherits the parent's environment unless told otherwise, cannot put the child in its
/// own process group, and leaves the signal mask to chance. posix_spawn gives all three, and glibc's implementation
/// (clone with CLONE_VFORK) returns only once the child has exec'd or failed, so errors come back here.
struct ProcessLauncher: Sendable {
    /// Where fresh working directories go.
    let baseDirectory: String
    /// util-linux prlimit(1), the trampoline for resource limits; nil when not installed.
    let prlimitPath: String?
    /// coreutils nice(1), the trampoline for `ProcessSpec.niceness`; nil when not installed.
    let nicePath: String?

    static func findPrlimit() -> String? {
        ["/usr/bin/prlimit", "/bin/prlimit"].first { access($0, X_OK) == 0 }
    }

    static func findNice() -> String? {
        ["/usr/bin/nice", "/bin/nice"].first { access($0, X_OK) == 0 }
    }

    func launch(_ spec: ProcessSpec, id: String) throws(ProcessSupervisorError) -> sending ChildProcess {
        try spec.validate()
        let directory: TaskDirectory
        if let workingDirectory = spec.workingDirectory {
            directory = TaskDirectory(existing: workingDirectory)
        } else {
            directory = try TaskDirectory(freshUnder: baseDirectory)
        }
        // From here on a failure drops `directory`, which removes it if it is ours.
        try directory.write(spec.files)
        if let owner = spec.directoryOwner, spec.workingDirectory == nil { try directory.chown(owner) }
        let executable = try resolve(spec.arguments[0], path: spec.environment["PATH"], in: directory.path)

        // posix_spawn cannot set rlimits, and a parent-side prlimit(2) after the spawn would race the child's exec.
        // So limits go through a trampoline: prlimit(1) sets them on itself and execs the command, keeping the pid,
        // the process group and the environment. The command path is already absolute, so prlimit's execvp does no
        // PATH search of its own.
        var argv = spec.arguments
        var program = executable
        let limitOptions = spec.limits.prlimitOptions
        if !limitOptions.isEmpty {
            guard let prlimitPath else {
                throw ProcessSupervisorError(.limitsUnavailable, "resource limits need prlimit(1) from util-linux")
            }
            program = prlimitPath
            argv = ["prlimit"] + limitOptions + ["--", executable] + spec.arguments.dropFirst()
        }
        // The nice value the same way (posix_spawn has no attribute for it, and a setpriority(2) after the spawn
        // would miss what the child already started): nice(1) sets it on itself and execs the rest.
        if spec.niceness > 0 {
            guard let nicePath else {
                throw ProcessSupervisorError(.limitsUnavailable, "a nice value needs nice(1) from coreutils")
            }
            argv = ["nice", "-n", String(spec.niceness), program] + argv.dropFirst()
            program = nicePath
        }

        let input = try FileDescriptor.pipe()
        let output = try FileDescriptor.pipe()
        let errors = try FileDescriptor.pipe()
        let result = spec.resultChannel ? try FileDescriptor.pipe() : nil
        let pid = try spawn(
            program, arguments: argv, environment: spec.environment, directory: directory.path,
            stdin: input.read.rawValue, stdout: output.write.rawValue, stderr: errors.write.rawValue, result: result?.write.rawValue)
        // The child's ends live on in the child only.
        input.read.close()
        output.write.close()
        errors.write.close()
        result?.write.close()
        input.write.setNonBlocking()
        output.read.setNonBlocking()
        errors.read.setNonBlocking()
        result?.read.setNonBlocking()
        let child = ChildProcess(
            id: id, pid: pid, timeout: spec.timeout, directory: directory, input: spec.standardInput,
            outputBytes: spec.limits.outputBytes,
            standardInput: input.write, standardOutput: output.read, standardError: errors.read, resultChannel: result?.read)
        child.reportsOutput = spec.reportsOutput
        return child
    }

    /// argv[0] with a `/` is used as given; otherwise it is looked up in the child's PATH, never the supervisor's.
    private func resolve(_ name: String, path: String?, in directory: String) throws(ProcessSupervisorError) -> String {
        if name.contains("/") { return name }
        guard let path else {
            throw ProcessSupervisorError(.executableNotFound, "\(name): the environment has no PATH")
        }
        for entry in path.split(separator: ":", omittingEmptySubsequences: true) where entry.hasPrefix("/") {
            let candidate = entry + "/" + name
            var info = stat()
            if stat(candidate, &info) == 0, info.st_mode & S_IFMT == S_IFREG, access(candidate, X_OK) == 0 {
                return candidate
            }
        }
        throw ProcessSupervisorError(.executableNotFound, "\(name) is not in PATH \(path)")
    }

    private func spawn(
        _ program: String, arguments: [String], environment: [String: String], directory: String,
        stdin: Int32, stdout: Int32, stderr: Int32, result: Int32?
    ) throws(ProcessSupervisorError) -> pid_t {
        guard let addChdir = GNUExtensions.addChdir else {
            throw ProcessSupervisorError(.spawnFailed, "posix_spawn_file_actions_addchdir_np needs glibc 2.29+")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }

        posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        if let result { posix_spawn_file_actions_adddup2(&actions, result, 3) }
        // Every other descriptor of the scheduler (database sockets, other tasks' pipes) is closed in the child.
        // Without closefrom (glibc < 2.34) we rely on every descriptor being close-on-exec, as ours are.
        if let addCloseFrom = GNUExtensions.addCloseFrom {
            _ = addCloseFrom(&actions, result == nil ? 3 : 4)
        }
        let chdirResult = addChdir(&actions, directory)
        guard chdirResult == 0 else {
            throw ProcessSupervisorError(.spawnFailed, "addchdir \(directory)", errno: chdirResult)
        }

        // Own process group, so a timeout or cancel can kill the whole tree with kill(-pgid). An empty signal mask and
        // default dispositions for every signal: the scheduler blocks TERM/INT in its threads and may ignore PIPE,
        // and posix_spawn would otherwise pass both on.
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)

        let argv = CStringArray(arguments)
        let envp = CStringArray(environment.map { "\($0.key)=\($0.value)" })
        var pid: pid_t = 0
        // posix_spawn returns the error number instead of setting errno.
        let result = argv.withUnsafeBufferPointer { argvPointer in
            envp.withUnsafeBufferPointer { envpPointer in
                posix_spawn(&pid, program, &actions, &attributes, argvPointer, envpPointer)
            }
        }
        guard result == 0 else {
            throw ProcessSupervisorError(.spawnFailed, "posix_spawn \(program)", errno: result)
        }
        return pid
    }
}
