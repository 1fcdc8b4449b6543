import Glibc
import Logging

/// swift-log's `StreamLogHandler` line format (`2026-11-28T05:00:00+0000 info sweep-api: key=value [Module] text`),
/// written without what made it costly for the API worker's request threads: StreamLogHandler re-renders all of its
/// metadata on every `logger[metadataKey:] = …` (two per request, 4% of a `GET /me` in the profile, even when the
/// level drops every line), and writes each line under stderr's FILE lock with an fflush, so concurrent request
/// lines queue on that lock. Here metadata is rendered only for a line that is written, and a line is one
/// `write(2)` of its bytes (the kernel keeps each write whole on a pipe or an O_APPEND file), with no lock of ours.
public struct ServiceLogHandler: LogHandler {
    private let label: String
    private let fd: Int32
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?

    public init(label: String, level: Logger.Level, fd: Int32 = 2, metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider) {
        self.label = label
        self.logLevel = level
        self.fd = fd
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var all = metadata
        if let provided = metadataProvider?.get(), !provided.isEmpty {
            all.merge(provided) { _, provided in provided }
        }
        if let explicit = event.metadata, !explicit.isEmpty {
            all.merge(explicit) { _, explicit in explicit }
        }
        if let error = event.error {
            all["error.message"] = "\(error)"
            all["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        var line = Self.timestamp()
        line += " \(event.level)\(label.isEmpty ? "" : " ")\(label):"
        if !all.isEmpty {
            line += " " + all.sorted(by: { $0.key < $1.key }).map { "\($0)=\($1)" }.joined(separator: " ")
        }
        line += " [\(event.source)] \(event.message)\n"
        Self.write(line, to: fd)
    }

    static func write(_ line: String, to fd: Int32) {
        var line = line
        line.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if n > 0 {
                    offset += n
                } else if n < 0, errno == EINTR {
                    continue
                } else {
                    return  // stderr gone or full: a log line is not worth blocking or crashing for
                }
            }
        }
    }

    /// Local time as StreamLogHandler prints it, through `localtime_r` (its `localtime` shares one static buffer
    /// between threads).
    static func timestamp() -> String {
        var now = time(nil)
        var parts = tm()
        guard localtime_r(&now, &parts) != nil else { return "<unknown>" }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { buffer in
            let count = strftime(buffer.baseAddress!, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &parts)
            return String(decoding: UnsafeRawBufferPointer(start: buffer.baseAddress!, count: count).bindMemory(to: UInt8.self), as: UTF8.self)
        }
    }
}
