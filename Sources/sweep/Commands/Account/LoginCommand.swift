import ArgumentParser
import Foundation
import SweepJSON

/// `sweep login`: stores the server URL and an API key in the config file. With a username it logs in (session
/// cookie) and creates a key named for this machine; with `--api-key` it checks the key and stores it.
struct LoginCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login", abstract: "Log in and store an API key in the config file.")

    @Option(help: ArgumentHelp("Server URL (default: SWEEP_URL, the stored URL, or \(Config.defaultURL)).", valueName: "url"))
    var url: String?

    @Option(help: ArgumentHelp("Log in as this user and create an API key (password read without echo).", valueName: "username"))
    var username: String?

    @Flag(help: "Read the password from stdin instead of the terminal.")
    var passwordStdin = false

    @Option(help: ArgumentHelp("Store this existing API key instead of logging in with a password.", valueName: "key"))
    var apiKey: String?

    @Flag(help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        if username == nil && apiKey == nil { throw ValidationError("give --username or --api-key") }
        if username != nil && apiKey != nil { throw ValidationError("--username and --api-key are exclusive") }
        if passwordStdin && username == nil { throw ValidationError("--password-stdin needs --username") }
        if let url, !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
            throw ValidationError("--url must start with http:// or https://")
        }
    }

    func run() throws {
        let stored = try Config.loadFile()
        let environmentURL = ProcessInfo.processInfo.environment["SWEEP_URL"].flatMap { $0.isEmpty ? nil : $0 }
        let server = url ?? environmentURL ?? stored.url ?? Config.defaultURL
        var config = stored
        config.url = server

        let user: JSONValue
        if let apiKey {
            let client = APIClient(baseURL: server, apiKey: apiKey)
            user = try client.get("me")
            config.apiKey = apiKey
            config.apiKeyID = nil
        } else {
            let password = passwordStdin
                ? Terminal.readStandardInput()
                : try Terminal.readPassword(prompt: "Password for \(username!) at \(server): ")
            let created = try LoginCommand.createKey(server: server, username: username!, password: password)
            user = created.user
            config.apiKey = created.key
            config.apiKeyID = created.id
        }
        try config.save()
        let name = user["username"]?.stringValue ?? user["user"]?["username"]?.stringValue ?? username ?? "?"
        if json {
            print(JSONValue.object(["url": .string(server), "username": .string(name),
                                    "config": .string(Config.fileURL.path)]).prettyString)
        } else {
            print("Logged in to \(server) as \(name); key stored in \(Config.fileURL.path).")
        }
    }

    /// Password login (session cookie), then `POST /api-keys` with the cookie and the CSRF header.
    static func createKey(server: String, username: String, password: String) throws(CLIError)
        -> (user: JSONValue, key: String, id: String?) {
        let client = APIClient(baseURL: server, apiKey: nil)
        let login = try client.exchange(.post, client.url(["auth", "login"]),
                                        body: JSONValue.object(["username": .string(username), "password": .string(password)]).jsonBytes)
        let answer = try APIClient.decode(login) ?? .null
        guard let cookie = sessionCookie(login.headers) else {
            throw CLIError(.serverError, "the server did not set a session cookie")
        }
        client.extraHeaders = [("Cookie", cookie), ("X-Requested-With", "sweep")]
        let host = ProcessInfo.processInfo.hostName
        let created = try client.request(.post, ["api-keys"], json: ["name": .string("sweep-cli@\(host)")]) ?? .null
        // The session was only a means to the key: end it rather than leave it valid on the server.
        _ = try? client.exchange(.post, client.url(["auth", "logout"]))
        guard let key = created["key"]?.stringValue else { throw CLIError(.serverError, "the server returned no key") }
        return (answer["user"] ?? answer, key, created["id"]?.stringValue)
    }

    /// `name=value` of the `sweep_session` cookie from the Set-Cookie headers.
    static func sessionCookie(_ headers: [(name: String, value: String)]) -> String? {
        for (name, value) in headers where name.lowercased() == "set-cookie" {
            let pair = value.split(separator: ";", maxSplits: 1).first.map(String.init) ?? value
            if pair.hasPrefix("sweep_session=") { return pair.trimmingCharacters(in: .whitespaces) }
        }
        return nil
    }
}
