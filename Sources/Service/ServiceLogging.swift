import Logging

/// The processes' logging: standard error, at `SWEEP_LOG_LEVEL` (`info` when unset or unknown), in swift-log's
/// stream format through `ServiceLogHandler` (no lock shared by the request threads).
public enum ServiceLogging {
    public static func bootstrap(_ environment: [String: String]) {
        let level = Logger.Level(rawValue: environment["SWEEP_LOG_LEVEL"] ?? "info") ?? .info
        LoggingSystem.bootstrap { label in ServiceLogHandler(label: label, level: level) }
    }
}
