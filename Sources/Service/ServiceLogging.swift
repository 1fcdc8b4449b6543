import Logging

/// The processes' logging: standard error, at `SWEEP_LOG_LEVEL` (`info` when unset or unknown).
public enum ServiceLogging {
    public static func bootstrap(_ environment: [String: String]) {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = Logger.Level(rawValue: environment["SWEEP_LOG_LEVEL"] ?? "info") ?? .info
            return handler
        }
    }
}
