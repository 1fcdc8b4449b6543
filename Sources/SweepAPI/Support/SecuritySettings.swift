import Egress
import SweepCrypto
import SweepStore

/// The worker's security settings, read once from the environment by `sweep-api serve` (README, "Security").
public struct SecuritySettings: Sendable {
    /// Which literal base_url addresses registration accepts (`SWEEP_EGRESS_ALLOW`); the schedulers enforce the
    /// same policy when they connect.
    public var egress: EgressPolicy
    /// Seals destination credentials (`SWEEP_SECRET_KEY_FILE`). Without it, credentials are refused, never stored
    /// in the clear.
    public var secrets: SecretBox?
    /// A browser session unused this long has ended (`SWEEP_SESSION_IDLE_SECONDS`).
    public var sessionIdleSeconds: Int

    public init(egress: EgressPolicy = EgressPolicy(), secrets: SecretBox? = nil, sessionIdleSeconds: Int = SessionStore.defaultIdleSeconds) {
        self.egress = egress
        self.secrets = secrets
        self.sessionIdleSeconds = sessionIdleSeconds
    }
}
