import Foundation
import SweepJSON

/// Where the server is and which API key to use: `~/.config/sweep/config.json` (or `$XDG_CONFIG_HOME/sweep/`),
/// overridden by `SWEEP_URL` / `SWEEP_API_KEY`, overridden in turn by `--url`.
struct Config {
    static let defaultURL = "http://127.0.0.1:8080"

    var url: String?
    var apiKey: String?
    /// The id of a key `sweep login` created, so `sweep logout` can revoke it.
    var apiKeyID: String?

    static var fileURL: URL {
        let environment = ProcessInfo.processInfo.environment
        let base: String
        if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") {
            base = xdg
        } else {
            base = (environment["HOME"] ?? NSHomeDirectory()) + "/.config"
        }
        return URL(fileURLWithPath: base).appendingPathComponent("sweep").appendingPathComponent("config.json")
    }

    /// The stored file only (no environment), for login/logout to rewrite.
    static func loadFile() throws(CLIError) -> Config {
        guard let data = FileManager.default.contents(atPath: fileURL.path) else { return Config() }
        guard let json = try? JSONParser.parse([UInt8](data)) else {
            throw CLIError(.usage, "\(fileURL.path) is not valid JSON; fix or remove it")
        }
        return Config(url: json["url"]?.stringValue, apiKey: json["api_key"]?.stringValue,
                      apiKeyID: json["api_key_id"]?.stringValue)
    }

    /// The effective configuration: file, then environment on top.
    static func resolve(urlOverride: String?) throws(CLIError) -> Config {
        var config = try loadFile()
        let environment = ProcessInfo.processInfo.environment
        if let url = environment["SWEEP_URL"], !url.isEmpty { config.url = url }
        if let key = environment["SWEEP_API_KEY"], !key.isEmpty {
            config.apiKey = key
            config.apiKeyID = nil
        }
        if let urlOverride { config.url = urlOverride }
        return config
    }

    /// Writes the file with mode 0600 from the start (created with that mode, never chmod-ed after the fact, so
    /// the key is not readable by others even briefly), in a 0700 directory.
    func save() throws(CLIError) {
        var object: [String: JSONValue] = [:]
        if let url { object["url"] = .string(url) }
        if let apiKey { object["api_key"] = .string(apiKey) }
        if let apiKeyID { object["api_key_id"] = .string(apiKeyID) }
        let path = Config.fileURL.path
        let directory = Config.fileURL.deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw CLIError(.usage, "cannot create \(directory): \(error.localizedDescription)")
        }
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw CLIError(.usage, "cannot write \(temporary): \(String(cString: strerror(errno)))") }
        let text = JSONValue.object(object).prettyString + "\n"
        let written = text.withCString { write(fd, $0, strlen($0)) }
        fchmod(fd, 0o600)
        close(fd)
        guard written == text.utf8.count, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw CLIError(.usage, "cannot write \(path)")
        }
    }
}
