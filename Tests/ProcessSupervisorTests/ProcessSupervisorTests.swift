import Foundation
import Glibc
import Testing
@testable import ProcessSupervisor

@Suite struct ProcessSupervisorTests {
    @Test func printenvSeesTheGivenVariable() throws {
        let (supervisor, recorder) = ProcessSupervisor.recording()
        try supervisor.start(ProcessSpec(arguments: ["sh", "-c", "printenv IND"], environment: ["IND": "1", "PATH": "/usr/bin:/bin"]), id: "a")
        let outcome = try #require(recorder.outcome("a"))
        #expect(outcome.output == "1\n")
        #expect(outcome.exitCode == 0)
        #expect(outcome.signal == nil)
        #expect(outcome.succeeded)
        #expect(supervisor.runningCount == 0)
    }

    @Test func childSeesOnlyTheGivenEnvironment() throws {
        setenv("SWEEP_DATABASE_URL", "postgres://secret@localhost/sweep", 1)
        let (supervisor, recorder) = ProcessSupervisor.recording()
        try supervisor.start(ProcessSpec(arguments: ["/usr/bin/env"], environment: ["A": "b c", "PATH": "/usr/bin:/bin"]), id: "env")
        let outcome = try #require(recorder.outcome("env"))
        let lines = outcome.output.split(separator: "\n").map(String.init).sorted()
        #expect(lines == ["A=b c", "PATH=/usr/bin:/bin"])
        #expect(!outcome.output.contains("SWEEP_DATABASE_URL"))
    }

    @Test func programIsLookedUpInTheChildsPathOnly() throws {
        let (supervisor, _) = ProcessSupervisor.recording()
        #expect(throws: ProcessSupervisorError.self) {
            try supervisor.start(ProcessSpec(arguments: ["sh", "-c", "true"]), id: "no-path")
        }
        do {
            try supervisor.start(ProcessSpec(arguments: ["no-such-program-here"], environment: ProcessSpec.path), id: "x")
            Issue.record("expected executableNotFound")
        } catch {
            #expect(error.code == .executableNotFound)
        }
        #expect(supervisor.runningCount == 0)
    }

    /// A sandbox that drops to nobody must own its fresh working directory (the files in it stay the supervisor's).
    @Test func freshDirectoryGoesToTheGivenOwner() throws {  // chown: the suite runs as root, like the scheduler
        let (supervisor, recorder) = ProcessSupervisor.recording()
        var spec = ProcessSpec.shell("stat -c '%u:%g %a' . input.txt")
        spec.files = ["input.txt": Array("x".utf8)]
        spec.directoryOwner = .init(uid: 65534, gid: 65534)
        try supervisor.start(spec, id: "owned")
        let outcome = try #require(recorder.outcome("owned"))
        #expect(outcome.output == "65534:65534 700\n0:0 644\n")
    }

    @Test func exitCodeIsData() throws {
        let (supervisor, recorder) = ProcessSupervisor.recording()
        try supervisor.start(.shell("echo oops >&2; exit 3"), id: "three")
        let outcome = try #require(recorder.outcome("three"))
        #expect(outcome.exitCode == 3)
        #expect(!outcome.succeeded)
        #expect(String(decoding: outcome.stderr, as: UTF8.self) == "oops\n")
    }

    @Test func standardInputReachesTheChild() throws {
        let (supervisor, recorder) = ProcessSupervisor.recording()
        var small = ProcessSpec(arguments: ["cat"], environment: ProcessSpec.path)
        small.standardInput = Array("{\"event\": 1}".utf8)
        try supervisor.start(small, id: "small")
        // Larger than a pipe buffer, so the supervisor must write it in turns.
        let big = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 % 251) }
        var large = ProcessSpec(arguments: ["cat"], environment: ProcessSpec.path)
        large.standardInput = big
        large.limits.outputBytes = 4_000_000
        try supervisor.start(large, id: "large")
        #expect(try #require(recorder.outcome("small")).output == "{\"event\": 1}")
        let outcome = try #require(recorder.outcome("large"))
        #expect(outcome.stdout == big)
        #expect(!outcome.stdoutTruncated)
    }

    @Test func childIgnoringItsInputDoesNotHurt() throws {
        let (supervisor, recorder) = ProcessSupervisor.recording()
        var spec = ProcessSpec.shell("exec 0<&-; echo closed")
        spec.standardInput = [UInt8](repeating: 65, count: 1_000_000)
        try supervisor.start(spec, id: "epipe")
        let outcome = try #require(recorder.outcome("epipe"))
        #expect(outcome.output == "closed\n")
        #expect(outcome.exitCode == 0)
    }

    @Test func outputIsCappedWithoutBlockingTheChild() throws {
        let (supervisor, recorder) = ProcessSupervisor.recording()
        var spec = ProcessSpec(arguments: ["head", "-c", "10000000", "/dev/zero"], environment: ProcessSpec.path)
        spec.limits.outputBytes = 1000
        try supervisor.start(spec, id: "chatty")
        let outcome = try #require(recorder.outcome("chatty"))
        #expect(outcome.exitCode == 0)
        #expect(outcome.stdout.count == 1000)
        #expect(outcome.stdoutTruncated)
        #expect(outcome.stdoutTotalBytes == 10_000_000)
        #expect(!outcome.stderrTruncated)
    }

    @Test func progressLinesBecomeEvents() throws {
        let (supervisor, recorder) = ProcessSupervisor.recording()
        try supervisor.start(.shell("echo '::progress::50 halfway'; echo '::progress:: copying'; echo done"), id: "p")
        let outcome = try #require(recorder.outcome("p"))
        #expect(outcome.output == "::progress::50 halfway\n::progress:: copying\ndone\n")
        let reports = recorder.progressReports
        #expect(reports.count == 2)
        #expect(reports.first?.id == "p")
        #expect(reports.first?.percent == 50)
        #expect(reports.first?.message == "halfway")
        #expect(reports.last?.percent == nil)
        #expect(reports.last?.message == "copying")
    }

    @Test func timeoutKillsTheProcess() throws {
        let (supervisor, recorder) = ProcessSupervisor.recording()
        var spec = ProcessSpec(arguments: ["sleep", "600"], environment: ProcessSpec.path)
        spec.timeout = .milliseconds(300)
        try supervisor.start(spec, id: "slow")
        let outcome = try #require(recorder.outcome("slow"))
        #expect(outcome.timedOut)
        #expect(!outcome.cancelled)
        #expect(outcome.signal == SIGKILL)
        #expect(outcome.exitCode == nil)
        #expect(outcome.duration >= .milliseconds(300))
        #expect(outcome.duration < .seconds(3))
    }

    @Test func cancelKillsTheWholeProcessGroupWithinASecond() throws {
        let (supervisor, recorder) = ProcessSupervisor.recording()
        // The script reports its background sleep's pid as a progress line: that is the signal it is running.
        try supervisor.start(.shell("sleep 600 & echo \"::progress::0 $!\"; sleep 600; wait"), id: "tree")
        #expect(recorder.wait { !recorder.progressReports.isEmpty })
        let grandchild = try #require(pid_t(recorder.progressReports[0].message))
        #expect(kill(grandchild, 0) == 0)
        let cancelledAt = ContinuousClock.now
        supervisor.cancel(id: "tree")
        let outcome = try #require(recorder.outcome("tree"))
        #expect(ContinuousClock.now - cancelledAt < .seconds(1))
        #expect(outcome.cancelled)
        #expect(!outcome.succeeded)
        #expect(outcome.signal != nil)
        // SIGKILL reached the whole group at once, but the grandchild finishes dying on its own schedule (on a
        // loaded machine, after the leader was reaped): gone within the same second is what the supervisor promises.
        #expect(Self.becomesGone(grandchild, by: cancelledAt + .seconds(1)))
    }

    @Test func leaderExitKillsItsBackgroundChildrenAndDoesNotWaitForTheirPipes() throws {
        let (supervisor, recorder) = ProcessSupervisor.recording()
        try supervisor.start(.shell("sleep 600 & echo $!"), id: "bg")
        let outcome = try #require(recorder.outcome("bg", seconds: 10))
        #expect(outcome.exitCode == 0)
        let background = try #require(pid_t(outcome.output.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(Self.becomesGone(background, by: .now + .seconds(1)))
        #expect(outcome.duration < .seconds(5))
    }

    @Test func resourceLimitsApply() throws {
        let (supervisor, recorder) = ProcessSupervisor.recording()
        var spec = ProcessSpec.shell("ulimit -n; ulimit -v; ulimit -t; ulimit -p")
        spec.limits = ResourceLimits(cpuSeconds: 7, addressSpaceBytes: 512 << 20, openFiles: 64, processes: 100)
        try supervisor.start(spec, id: "limits")
        let outcome = try #require(recorder.outcome("limits"))
        #expect(outcome.output == "64\n524288\n7\n100\n")
        #expect(outcome.succeeded)
    }

    /// `niceness` is added to the supervisor's own nice value, for the child and what it starts (here a
    /// subshell), with or without the resource-limit trampoline in between.
    @Test func nicenessAppliesToTheChildAndWhatItStarts() throws {
        let own = Int(getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0))
        let expected = min(19, own + 7)
        let (supervisor, recorder) = ProcessSupervisor.recording()
        var spec = ProcessSpec.shell("nice; (nice)")
        spec.niceness = 7
        try supervisor.start(spec, id: "nice")
        var limited = ProcessSpec.shell("ulimit -n; nice")
        limited.niceness = 7
        limited.limits.openFiles = 64
        try supervisor.start(limited, id: "limited")
        let outcome = try #require(recorder.outcome("nice"))
        #expect(outcome.output == "\(expected)\n\(expected)\n")
        #expect(try #require(recorder.outcome("limited")).output == "64\n\(expected)\n")
    }

    @Test func nicenessOutsideZeroToNineteenIsRefused() throws {
        let (supervisor, _) = ProcessSupervisor.recording()
        for niceness in [-1, 20] {
            var spec = ProcessSpec.shell("true")
            spec.niceness = niceness
            #expect(throws: ProcessSupervisorError.self) { try supervisor.start(spec, id: "bad\(niceness)") }
        }
    }

    @Test func cpuLimitKillsABusyLoop() throws {
        let (supervisor, recorder) = ProcessSupervisor.recording()
        var spec = ProcessSpec.shell("while :; do :; done")
        spec.limits.cpuSeconds = 1
        spec.timeout = .seconds(60)
        try supervisor.start(spec, id: "burn")
        let outcome = try #require(recorder.outcome("burn", seconds: 60))
        #expect(!outcome.timedOut)
        #expect(outcome.signal == SIGXCPU || outcome.signal == SIGKILL)
    }

    @Test func filesAreWrittenIntoAFreshDirectoryThatIsRemovedAfterwards() throws {
        let base = try Self.makeBaseDirectory()
        defer { try? FileManager.default.removeItem(atPath: base) }
        let recorder = EventRecorder()
        let supervisor = ProcessSupervisor(temporaryDirectory: base, onEvent: { recorder.record($0) })
        var spec = ProcessSpec.shell("pwd; cat main.py lib/data.txt; stat -c %a .")
        spec.files = ["main.py": Array("print(1)\n".utf8), "lib/data.txt": Array("x\n".utf8)]
        try supervisor.start(spec, id: "files")
        let outcome = try #require(recorder.outcome("files"))
        let lines = outcome.output.split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        let directory = try #require(lines.first)
        #expect(directory.hasPrefix(base + "/sweep-task-"))
        #expect(Array(lines.dropFirst()) == ["print(1)", "x", "700"])
        #expect(!FileManager.default.fileExists(atPath: directory))
        #expect(try FileManager.default.contentsOfDirectory(atPath: base).isEmpty)
    }

    @Test func unsafeFilePathsAreRejectedAndLeaveNothingBehind() throws {
        let base = try Self.makeBaseDirectory()
        defer { try? FileManager.default.removeItem(atPath: base) }
        let supervisor = ProcessSupervisor(temporaryDirectory: base, onEvent: { _ in })
        for path in ["../escape", "/etc/passwd", "a/../../b", ""] {
            var spec = ProcessSpec.shell("true")
            spec.files = [path: [1]]
            #expect(throws: ProcessSupervisorError.self) { try supervisor.start(spec, id: "bad") }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: base).isEmpty)
    }

    @Test func aGivenWorkingDirectoryIsUsedAndKept() throws {
        let base = try Self.makeBaseDirectory()
        defer { try? FileManager.default.removeItem(atPath: base) }
        let (supervisor, recorder) = ProcessSupervisor.recording()
        var spec = ProcessSpec.shell("pwd; cat input")
        spec.workingDirectory = base
        spec.files = ["input": Array("hi".utf8)]
        try supervisor.start(spec, id: "wd")
        #expect(try #require(recorder.outcome("wd")).output == base + "\nhi")
        #expect(FileManager.default.fileExists(atPath: base + "/input"))
    }

    @Test func duplicateRunningIdIsRefused() throws {
        let (supervisor, recorder) = ProcessSupervisor.recording()
        try supervisor.start(ProcessSpec(arguments: ["sleep", "600"], environment: ProcessSpec.path), id: "same")
        do {
            try supervisor.start(.shell("true"), id: "same")
            Issue.record("expected duplicateID")
        } catch {
            #expect(error.code == .duplicateID)
        }
        supervisor.cancel(id: "same")
        #expect(try #require(recorder.outcome("same")).cancelled)
    }

    @Test func cancelAllKillsEverythingAndReturnsWhenAllAreDead() throws {
        let (supervisor, recorder) = ProcessSupervisor.recording()
        let ids = (0..<5).map { "sleeper-\($0)" }
        for id in ids {
            try supervisor.start(.shell("trap '' TERM; sleep 600 & wait; wait"), id: id)
        }
        #expect(supervisor.runningCount == 5)
        let started = ContinuousClock.now
        supervisor.cancelAll()
        #expect(ContinuousClock.now - started < .seconds(2))
        #expect(supervisor.runningCount == 0)
        for id in ids {
            // Already delivered before cancelAll returned.
            let outcome = try #require(recorder.outcome(id, seconds: 0))
            #expect(outcome.cancelled)
            #expect(outcome.signal == SIGKILL || outcome.signal == SIGTERM)
        }
        supervisor.cancelAll()  // nothing running: returns at once
    }

    @Test func fiftyConcurrentProcessesAllFinishWithTheirOwnOutput() throws {
        let (supervisor, recorder) = ProcessSupervisor.recording()
        for index in 0..<50 {
            try supervisor.start(.shell("printf '%s' \"$IND\"; printf err >&2", environment: ["IND": "\(index)"]), id: "n\(index)")
        }
        for index in 0..<50 {
            let outcome = try #require(recorder.outcome("n\(index)"))
            #expect(outcome.output == "\(index)")
            #expect(String(decoding: outcome.stderr, as: UTF8.self) == "err")
            #expect(outcome.succeeded)
        }
        #expect(supervisor.runningCount == 0)
    }

    @Test func childDoesNotInheritABlockedSignalMaskOrExtraDescriptors() throws {
        let (supervisor, recorder) = ProcessSupervisor.recording()
        var blocked = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGTERM)
        // The supervisor thread is created here, so it starts with TERM blocked, like the scheduler's threads.
        pthread_sigmask(SIG_BLOCK, &blocked, nil)
        defer { pthread_sigmask(SIG_UNBLOCK, &blocked, nil) }
        let previousHangup = signal(SIGHUP, SIG_IGN)  // an ignored signal stays ignored across exec unless reset
        defer { signal(SIGHUP, previousHangup) }
        let leaked = open("/dev/null", O_RDONLY)  // not close-on-exec
        defer { close(leaked) }
        try supervisor.start(.shell("grep -E '^Sig(Blk|Ign)' /proc/self/status; ls /proc/self/fd"), id: "clean")
        let outcome = try #require(recorder.outcome("clean"))
        let lines = outcome.output.split(separator: "\n").map(String.init)
        #expect(lines.contains("SigBlk:\t0000000000000000"))
        // Signals 1-31 all at their defaults. glibc's sigfillset leaves out its internal signals 32 and 33, so
        // POSIX_SPAWN_SETSIGDEF cannot reset those; nothing outside glibc uses them.
        let ignored = try #require(lines.first { $0.hasPrefix("SigIgn:") }.flatMap { UInt64($0.dropFirst(8), radix: 16) })
        #expect(ignored & 0x7fff_ffff == 0)
        // 0, 1, 2 and the descriptor ls opens for /proc/self/fd.
        #expect(lines.filter { Int($0) != nil }.count == 4)
    }

    @Test func cancelRightAfterStartIsNotLost() throws {
        let (supervisor, recorder) = ProcessSupervisor.recording()
        try supervisor.start(ProcessSpec(arguments: ["sleep", "600"], environment: ProcessSpec.path), id: "quick")
        supervisor.cancel(id: "quick")
        supervisor.cancel(id: "never-started")
        let outcome = try #require(recorder.outcome("quick"))
        #expect(outcome.cancelled)
        #expect(outcome.signal == SIGTERM)
    }

    @Test func droppingTheSupervisorKillsItsChildren() throws {
        let recorder = EventRecorder()
        var supervisor: ProcessSupervisor? = ProcessSupervisor(onEvent: { recorder.record($0) })
        try supervisor?.start(.shell("echo \"::progress::0 $$\"; sleep 600"), id: "orphan")
        #expect(recorder.wait { !recorder.progressReports.isEmpty })
        let pid = try #require(pid_t(recorder.progressReports[0].message))
        supervisor = nil
        let outcome = try #require(recorder.outcome("orphan", seconds: 10))
        #expect(outcome.cancelled)
        #expect(outcome.signal == SIGKILL)
        #expect(Self.isGone(pid))
    }

    /// Polls (every millisecond) until `pid` is gone or the deadline passes.
    static func becomesGone(_ pid: pid_t, by deadline: ContinuousClock.Instant) -> Bool {
        while !isGone(pid) {
            guard ContinuousClock.now < deadline else { return false }
            usleep(1_000)
        }
        return true
    }

    static func isGone(_ pid: pid_t) -> Bool {
        // A killed process may linger as a zombie until its new parent reaps it: that counts as gone.
        if kill(pid, 0) != 0 { return true }
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        return stat.split(separator: ")").last?.split(separator: " ").first == "Z"
    }

    static func makeBaseDirectory() throws -> String {
        var template = Array("/tmp/sweep-supervisor-test-XXXXXX".utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            throw POSIXError(.EIO)
        }
        return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
