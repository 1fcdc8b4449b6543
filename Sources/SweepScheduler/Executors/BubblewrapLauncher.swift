import ProcessSupervisor

/// Runs a `SandboxSpec` inside bubblewrap: every namespace unshared, the real and namespaced user nobody, the system
/// read-only, the run's working directory the only writable place (at /work), a private /tmp, and no view of the
/// project folder, `.data`, the database's socket, other runs or the scheduler's environment.
///
/// The chain is `prlimit` (the supervisor's rlimit trampoline) → `setpriv` (drops the real uid to nobody, so even a
/// namespace escape is not root) → `bwrap` (unprivileged, with a user namespace) → `sh` forwarder → the task. The
/// supervisor kills the process group of bwrap's outer process at a cancel or a timeout; `--die-with-parent` then
/// kills the sandbox's init, and the kernel ends every process of its PID namespace, setsid daemons included.
struct BubblewrapLauncher {
    let settings: SandboxSettings

    /// Why this host cannot run local functions, or nil when it can.
    var unavailableReason: String? {
        if settings.bubblewrap == nil { return "bubblewrap (bwrap) is not installed: local functions run only in its sandbox" }
        if settings.setpriv == nil { return "setpriv (util-linux) is not installed: the sandbox cannot drop to an unprivileged user" }
        return nil
    }

    /// Read-only pieces of /etc a runtime needs (shared libraries' cache, time zone, CA certificates, the
    /// `alternatives` links of python3 and node); nothing else of the host's configuration is visible.
    static let etcFiles = [
        "/etc/ld.so.cache", "/etc/alternatives", "/etc/localtime", "/etc/ssl", "/etc/ca-certificates",
        "/etc/nsswitch.conf", "/etc/passwd", "/etc/group", "/etc/mime.types",
    ]

    func processSpec(_ spec: SandboxSpec) -> ProcessSpec {
        var argv = [settings.setpriv ?? "setpriv", "--reuid", String(SandboxSettings.uid), "--regid", String(SandboxSettings.gid),
                    "--clear-groups", "--", settings.bubblewrap ?? "bwrap"]
        argv += bubblewrapOptions()
        argv += ["--"] + forwarded(spec.arguments)
        return ProcessSpec(
            arguments: argv, environment: spec.environment, standardInput: spec.standardInput, files: spec.files,
            timeout: spec.timeout, limits: spec.limits,
            directoryOwner: .init(uid: SandboxSettings.uid, gid: SandboxSettings.gid))
    }

    func bubblewrapOptions() -> [String] {
        var options: [String]
        switch settings.network {
        case .apiOnly:
            options = ["--unshare-all", "--unshare-user"]
        case .host:
            options = ["--unshare-user", "--unshare-ipc", "--unshare-pid", "--unshare-uts", "--unshare-cgroup-try"]
        }
        options += [
            "--disable-userns", "--die-with-parent", "--new-session", "--uid", String(SandboxSettings.uid),
            "--gid", String(SandboxSettings.gid), "--hostname", "sweep",
            "--ro-bind", "/usr", "/usr", "--symlink", "usr/bin", "/bin", "--symlink", "usr/sbin", "/sbin",
            "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
            "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
        ]
        for path in Self.etcFiles { options += ["--ro-bind-try", path, path] }
        if settings.network == .host {
            for path in ["/etc/resolv.conf", "/etc/hosts", "/etc/host.conf", "/etc/gai.conf"] { options += ["--ro-bind-try", path, path] }
        }
        if settings.network == .apiOnly, let socket = settings.apiSocket {
            options += ["--ro-bind", socket, SandboxSettings.apiSocketInside]
        }
        // The supervisor made the working directory and started us in it.
        options += ["--bind", ".", "/work", "--chdir", "/work", "--remount-ro", "/"]
        return options
    }

    /// A sandbox holding nothing but the API forwarder, for a container to share its network namespace
    /// (`podman run --network ns:/proc/PID/ns/net`): the container then has a loopback on which only Sweep's API
    /// answers. bwrap writes `{"child-pid": PID}` (the sandbox's first process, in the new namespaces) to fd 3.
    /// nil when this host cannot build it (no bwrap, setpriv, socat or API socket).
    func forwarderSandbox() -> [String]? {
        guard unavailableReason == nil, settings.network == .apiOnly, let socket = settings.apiSocket, let socat = settings.socat else { return nil }
        return [settings.setpriv ?? "setpriv", "--reuid", String(SandboxSettings.uid), "--regid", String(SandboxSettings.gid),
                "--clear-groups", "--", settings.bubblewrap ?? "bwrap",
                "--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent", "--new-session",
                "--uid", String(SandboxSettings.uid), "--gid", String(SandboxSettings.gid),
                "--ro-bind", "/usr", "/usr", "--symlink", "usr/bin", "/bin", "--symlink", "usr/lib", "/lib",
                "--symlink", "usr/lib64", "/lib64", "--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache",
                "--proc", "/proc", "--dev", "/dev", "--ro-bind", socket, SandboxSettings.apiSocketInside,
                "--remount-ro", "/", "--info-fd", "3", "--",
                socat, "TCP-LISTEN:\(SandboxSettings.apiPort),bind=127.0.0.1,fork,reuseaddr", "UNIX-CONNECT:\(SandboxSettings.apiSocketInside)"]
    }

    /// `/proc/net/tcp`'s form of the forwarder's listening address (127.0.0.1:PORT in hex).
    static var listeningAddress: String {
        let hex = String(SandboxSettings.apiPort, radix: 16, uppercase: true)
        return "0100007F:" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    /// argv behind the API forwarder: socat serves the API's unix socket on the sandbox's own loopback, and the task
    /// starts once it listens (checked in /proc/net/tcp, bounded to about 2 s; past that the task starts anyway and
    /// its own API calls fail visibly). Without the socket or socat, or with the host's network, argv as it is.
    func forwarded(_ arguments: [String]) -> [String] {
        guard settings.network == .apiOnly, settings.apiSocket != nil, let socat = settings.socat else { return arguments }
        let port = SandboxSettings.apiPort
        let listening = Self.listeningAddress
        let script = """
            \(socat) TCP-LISTEN:\(port),bind=127.0.0.1,fork,reuseaddr UNIX-CONNECT:\(SandboxSettings.apiSocketInside) 2>/dev/null &
            i=0; while [ $i -lt 400 ] && ! grep -q ' \(listening) 00000000:0000 0A' /proc/net/tcp; do i=$((i+1)); sleep 0.005; done
            exec "$@"
            """
        return ["/bin/sh", "-c", script, "sweep-sandbox"] + arguments
    }
}
