import Foundation
import Logging

/// Removes Sweep's containers that no live scheduler owns: at start-up, those left by a scheduler that crashed or
/// was killed (its pid label names a process that is gone, or is no longer a sweep-scheduler), and at stop, this
/// process's own (the supervisor killed their podman clients, which leaves the containers running). Every scheduler
/// process does both; removing a container twice is harmless. Blocking, so only at start and stop.
public enum ContainerReaper {
    /// The label holding the pid of the scheduler process that started a container.
    public static let pidLabel = "sweep.scheduler.pid"

    /// Containers whose scheduler is gone; returns how many were removed.
    @discardableResult
    public static func removeOrphans(_ settings: SandboxSettings, logger: Logger) -> Int {
        let orphans = containers(settings, filter: "label=" + pidLabel).filter { !schedulerAlive($0.pid) }
        return remove(orphans.map(\.id), settings, logger: logger)
    }

    /// This process's containers (at stop).
    @discardableResult
    public static func removeOwn(_ settings: SandboxSettings, logger: Logger) -> Int {
        remove(containers(settings, filter: "label=\(pidLabel)=\(getpid())").map(\.id), settings, logger: logger)
    }

    static func containers(_ settings: SandboxSettings, filter: String) -> [(id: String, pid: Int32)] {
        guard settings.podman != nil else { return [] }
        let podman = PodmanLauncher(settings: settings).podman
        let output = run(podman + ["ps", "--all", "--filter", filter, "--format", "{{.ID}} {{index .Labels \"\(pidLabel)\"}}"])
        return output.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count == 2, let pid = Int32(fields[1]) else { return nil }
            return (String(fields[0]), pid)
        }
    }

    static func remove(_ ids: [String], _ settings: SandboxSettings, logger: Logger) -> Int {
        guard !ids.isEmpty else { return 0 }
        _ = run(PodmanLauncher(settings: settings).podman + ["rm", "--force", "--time", "0", "--ignore"] + ids)
        logger.info("removed containers no scheduler owns", metadata: ["count": "\(ids.count)"])
        return ids.count
    }

    /// A live process that is a sweep-scheduler (a pid reused by something else does not keep containers alive).
    static func schedulerAlive(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 || errno == EPERM else { return false }
        let command = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8)) ?? ""
        return command.hasPrefix("sweep-scheduler")
    }

    /// Runs a podman command to its end with podman's own environment only; its stdout.
    static func run(_ arguments: [String]) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        process.environment = PodmanLauncher.hostEnvironment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return "" }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
