import Foundation
import ProcessSupervisor
import Synchronization

/// Runs a `SandboxSpec` as a podman container of the user's uploaded image: by image id (never by a name another
/// user could have loaded on this host), as nobody, read-only root, all capabilities dropped, no network (the API's
/// unix socket is mounted at /run/sweep-api.sock), the definition's cpu and memory, labelled with its run.
///
/// The supervised process is a host shell that loads the image first when this host has not yet (the archive is
/// staged in its working directory), then execs `podman run` (log driver passthrough): the container's stdout and
/// stderr are the run's logs and its exit code the run's. Killing that client does not stop a container (conmon keeps it), so
/// every end that is not a clean exit is followed by `removal(of:)`, and `ContainerReaper` removes what a crash
/// left behind.
struct PodmanLauncher {
    let settings: SandboxSettings

    /// Distinguishes this process's containers from those of other schedulers sharing the storage.
    static let processTag = String(UInt32.random(in: 0...UInt32.max), radix: 36)
    /// Image ids this process has loaded (or found loaded) into its podman; others get their archive staged.
    static let loaded = LoadedImages()

    var unavailableReason: String? {
        settings.podman == nil ? "no container runtime on this host (podman with runc); container tasks cannot run here" : nil
    }

    /// `podman` with this installation's storage and the runtime that works here (crun fails on hybrid cgroups).
    var podman: [String] {
        var argv = [settings.podman ?? "podman"]
        if let root = settings.podmanRoot { argv += ["--root", root + "/storage"] }
        if let runRoot = settings.podmanRunRoot { argv += ["--runroot", runRoot] }
        return argv + ["--runtime", "runc"]
    }

    static func containerName(runID: Int64, attempt: Int) -> String { "sweep-\(processTag)-\(runID)-\(attempt)" }

    /// What podman itself gets: enough to run, nothing of the scheduler's (the database URL stays out).
    static let hostEnvironment = ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8", "HOME": "/root"]

    func processSpec(_ spec: SandboxSpec, imageID: String, archive: [UInt8]?, name: String, labels: [String: String],
                     cpu: Double?, memoryMB: Int?, workDirectory: String? = nil) -> ProcessSpec {
        var run = podman + [
            // passthrough: the container writes to this process's own stdout and stderr (our pipes). Attached
            // through conmon's socket instead, a container that exits at once could lose its output under load.
            "run", "--rm", "--name", name, "--pull", "never", "--log-driver", "passthrough",
            "--user", "\(SandboxSettings.uid):\(SandboxSettings.gid)", "--read-only", "--cap-drop", "all",
            "--security-opt", "no-new-privileges",
            // runc here cannot apply podman's default rlimits: both must be explicit (PLATFORM-NOTES).
            "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024", "--pids-limit", "1024",
        ]
        let forwarder = BubblewrapLauncher(settings: settings).forwarderSandbox()
        var networkIndex: Int?
        switch settings.network {
        case .host:
            run += ["--network", "host"]
        case .apiOnly where forwarder != nil:
            // The forwarder sandbox's namespace: `$child` is expanded by the script, so this one word is shell text
            // (by position, never by content: every other word, tenant data included, is single-quoted).
            run += ["--network"]
            networkIndex = run.count
            run += ["\"ns:/proc/$child/ns/net\""]
        case .apiOnly:
            run += ["--network", "none"]
            if let socket = settings.apiSocket { run += ["--volume", "\(socket):\(SandboxSettings.apiSocketInside):ro"] }
        }
        for (key, value) in labels.sorted(by: { $0.key < $1.key }) { run += ["--label", "\(key)=\(value)"] }
        if let cpu { run += ["--cpus", String(Self.cores(cpu))] }
        if let memoryMB { run += ["--memory", "\(max(6, memoryMB))m"] }
        // The task's files (TaskWorkspace): its working directory, writable by the container's user.
        if let workDirectory { run += ["--volume", "\(workDirectory):/work:rw", "--workdir", "/work"] }
        for (key, value) in spec.environment.sorted(by: { $0.key < $1.key }) { run += ["--env", "\(key)=\(value)"] }
        run.append(String(imageID.dropFirst("sha256:".count)))
        run += spec.arguments

        var script = "set -e\n"
        if archive != nil {
            let exists = (podman + ["image", "exists", imageID]).map(Self.quoted).joined(separator: " ")
            let load = (podman + ["load", "-q", "-i", "image.tar"]).map(Self.quoted).joined(separator: " ")
            script += "\(exists) || \(load) >/dev/null\nrm -f image.tar\n"
        }
        let command = run.enumerated().map { $0.offset == networkIndex ? $0.element : Self.quoted($0.element) }.joined(separator: " ")
        if let forwarder {
            // The forwarder sandbox first; the container joins its network namespace once socat listens there
            // (about 2 s at most), and the forwarder is killed when the container ends. A cancel or timeout kills
            // the whole process group, forwarder included (and --die-with-parent covers a scheduler crash).
            // forwarder.json exists before the background job opens it: the loop below must not race its creation.
            script += ": >forwarder.json\n" + forwarder.map(Self.quoted).joined(separator: " ") + " 3>forwarder.json >/dev/null 2>&1 &\n"
            script += """
                forwarder=$!
                child=; i=0
                while [ $i -lt 400 ]; do
                  child=$(sed -n 's/.*"child-pid": *\\([0-9]*\\).*/\\1/p' forwarder.json 2>/dev/null || true)
                  [ -n "$child" ] && grep -q ' \(BubblewrapLauncher.listeningAddress) 00000000:0000 0A' /proc/$child/net/tcp 2>/dev/null && break
                  i=$((i+1)); sleep 0.005
                done
                status=0
                \(command) || status=$?
                kill $forwarder 2>/dev/null || true
                exit $status

                """
        } else {
            script += "exec " + command + "\n"
        }
        return ProcessSpec(
            arguments: ["/bin/sh", "-c", script], environment: Self.hostEnvironment,
            files: archive.map { ["image.tar": $0] } ?? [:], timeout: spec.timeout,
            limits: ResourceLimits(outputBytes: spec.limits.outputBytes))
    }

    /// Stops and removes a container at once (no grace: cancel, timeout, stop); harmless when it is already gone.
    func removal(of name: String) -> ProcessSpec {
        ProcessSpec(arguments: podman + ["rm", "--force", "--time", "0", "--ignore", name], environment: Self.hostEnvironment,
                    timeout: .seconds(60))
    }

    /// SWEEP's `cpu`: up to 64 it is cores (`--cpus`), above it ECS CPU units (1024 a core, Fargate's 256, 512, …);
    /// podman refuses more cores than the host has.
    static func cores(_ cpu: Double) -> Double {
        let cores = cpu > 64 ? cpu / 1024 : cpu
        return min(max(cores, 0.01), Double(ProcessInfo.processInfo.activeProcessorCount))
    }

    static func quoted(_ word: String) -> String {
        "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

/// Image ids known to be in this process's podman storage. An image counts as loaded once a run that carried its
/// archive has succeeded (its container ran, so the load happened); until then every run carries the archive, and
/// the `image exists || load` in front of `podman run` makes the extra loads cheap and concurrent ones harmless.
/// Runs that start while others carry the same image id share their archive's bytes: read from the database once,
/// not once per run (twenty launches of a 2 MB image at once were 340 ms of PostgreSQL CPU and as much hex decoding
/// here, on the loop, while the launches' first events were being delivered).
final class LoadedImages: Sendable {
    private struct State {
        var loaded: Set<String> = []
        /// Runs in flight that carry an archive, with the image id it holds.
        var carrying: [Int64: String] = [:]
        /// The archive of each image id some run in flight carries. An image id names its content (the digest of
        /// its configuration, which names its layers), so any user's archive of it loads the same image.
        var archives: [String: [UInt8]] = [:]
    }
    private let state = Mutex(State())

    func contains(_ id: String) -> Bool { state.withLock { $0.loaded.contains(id) } }

    /// The archive of an image id a run in flight carries, if one does.
    func carried(_ id: String) -> [UInt8]? { state.withLock { $0.archives[id] } }

    func carry(runID: Int64, imageID: String, archive: [UInt8]) {
        state.withLock {
            $0.carrying[runID] = imageID
            $0.archives[imageID] = archive
        }
    }

    /// A run ended: if it carried an archive and succeeded, its image is loaded. The archive is let go once no run
    /// in flight carries it.
    func settle(runID: Int64, succeeded: Bool) {
        state.withLock { state in
            guard let id = state.carrying.removeValue(forKey: runID) else { return }
            if succeeded { state.loaded.insert(id) }
            if !state.carrying.values.contains(id) { state.archives[id] = nil }
        }
    }
}
