import Foundation
import Glibc

/// How this host sandboxes tenant code: the tools found at start-up and the administrator's choices, read once
/// from the environment. A tool that is missing makes its kind of task `unavailable` here (the next execution
/// configuration is tried), never run without its sandbox.
public struct SandboxSettings: Sendable {
    /// What a sandbox may reach over the network.
    public enum Network: String, Sendable {
        /// Nothing but Sweep's own API, through the forwarder on the sandbox's loopback (the default).
        case apiOnly = "api"
        /// The host's network, like any process of the machine: loopback services (the database's TCP port when it
        /// has one, other tenants' listeners) included. `SWEEP_SANDBOX_NETWORK=host`.
        case host
    }

    public var network: Network
    /// nginx's unix socket for the API (`SWEEP_API_SOCKET`), bound into each sandbox at `/run/sweep-api.sock`.
    public var apiSocket: String?
    public var bubblewrap: String?
    public var setpriv: String?
    public var socat: String?
    public var podman: String?
    /// podman's storage for this installation (`SWEEP_PODMAN_ROOT`): `--root ROOT/storage`.
    /// Each installation (and each test stack) then sees only its own images and containers; nil: podman's default.
    public var podmanRoot: String?
    /// podman's run-time state (`SWEEP_PODMAN_RUNROOT`); podman refuses paths over 50 characters, so by default
    /// `ROOT/run` when that is short enough, else a folder in /tmp named by a hash of ROOT.
    public var podmanRunRoot: String?

    /// The unprivileged user every sandboxed process runs as, inside and outside its namespaces (nobody/nogroup).
    public static let uid: UInt32 = 65534
    public static let gid: UInt32 = 65534
    /// Where the forwarder serves the API on a sandbox's own loopback.
    public static let apiPort = 8080
    public static let apiSocketInside = "/run/sweep-api.sock"

    public init(network: Network = .apiOnly, apiSocket: String? = nil, bubblewrap: String? = nil, setpriv: String? = nil,
                socat: String? = nil, podman: String? = nil, podmanRoot: String? = nil, podmanRunRoot: String? = nil) {
        self.network = network
        self.apiSocket = apiSocket
        self.bubblewrap = bubblewrap
        self.setpriv = setpriv
        self.socat = socat
        self.podman = podman
        self.podmanRoot = podmanRoot
        self.podmanRunRoot = podmanRunRoot ?? podmanRoot.map(Self.defaultRunRoot)
    }

    static func defaultRunRoot(_ root: String) -> String {
        if (root + "/run").utf8.count <= 50 { return root + "/run" }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a: stable across processes, unlike Hasher
        for byte in root.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return "/tmp/sweep-podman-" + String(hash, radix: 16)
    }

    public static func fromEnvironment(_ environment: [String: String]) -> SandboxSettings {
        func tool(_ name: String) -> String? {
            ["/usr/bin/", "/bin/", "/usr/sbin/", "/usr/local/bin/"].map { $0 + name }.first { access($0, X_OK) == 0 }
        }
        func nonEmpty(_ key: String) -> String? { environment[key].flatMap { $0.isEmpty ? nil : $0 } }
        // podman without runc cannot start anything here (crun fails on this kernel's hybrid cgroups).
        let podman = tool("runc") == nil ? nil : tool("podman")
        return SandboxSettings(
            network: environment["SWEEP_SANDBOX_NETWORK"] == "host" ? .host : .apiOnly,
            apiSocket: nonEmpty("SWEEP_API_SOCKET"),
            bubblewrap: tool("bwrap"), setpriv: tool("setpriv"), socat: tool("socat"),
            podman: environment["SWEEP_CONTAINERS"] == "off" ? nil : podman,
            podmanRoot: nonEmpty("SWEEP_PODMAN_ROOT"), podmanRunRoot: nonEmpty("SWEEP_PODMAN_RUNROOT"))
    }

    /// `SWEEP_API_URL` as a sandboxed task sees it; nil when the task has no way to the API.
    func apiURL(hostURL: String?) -> String? {
        switch network {
        case .host: return hostURL
        case .apiOnly: return apiSocket != nil && socat != nil ? "http://127.0.0.1:\(Self.apiPort)" : nil
        }
    }
}
