import ArgumentParser
import SweepJSON

/// `sweep logout`: revokes the stored key when `sweep login` created it, and removes it from the config file.
struct LogoutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logout", abstract: "Revoke and forget the stored API key.")

    @Flag(help: "Print the result as JSON.")
    var json = false

    func run() throws {
        var config = try Config.loadFile()
        guard let key = config.apiKey else {
            print(json ? JSONValue.object(["logged_out": false, "revoked": false]).prettyString : "Not logged in.")
            return
        }
        var revoked = false
        if let id = config.apiKeyID {
            let client = APIClient(baseURL: config.url ?? Config.defaultURL, apiKey: key)
            // Best effort: an unreachable server or an already revoked key must not keep the key on disk.
            if let response = try? client.exchange(.delete, client.url(["api-keys", id])) {
                revoked = response.status == 204 || response.status == 200
            }
        }
        config.apiKey = nil
        config.apiKeyID = nil
        try config.save()
        if json {
            print(JSONValue.object(["logged_out": true, "revoked": .bool(revoked)]).prettyString)
        } else {
            print(revoked ? "Logged out; the API key was revoked." : "Logged out; the stored API key was removed.")
        }
    }
}
