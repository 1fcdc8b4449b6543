import ArgumentParser
import SweepJSON

/// Options every command that talks to the server accepts.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Server URL (overrides SWEEP_URL and the config file).", valueName: "url"))
    var url: String?

    @Flag(name: .long, help: "Print the API's JSON answer instead of human output.")
    var json = false

    /// A client for the configured server and key; fails with exit 3 when no key is configured.
    func client(requireKey: Bool = true) throws(CLIError) -> APIClient {
        let config = try Config.resolve(urlOverride: url)
        if requireKey, config.apiKey == nil {
            throw CLIError(.auth, "not logged in: run `sweep login` or set SWEEP_API_KEY")
        }
        return APIClient(baseURL: config.url ?? Config.defaultURL, apiKey: config.apiKey)
    }

    /// Prints `value` as JSON when `--json` was given, else `human()`.
    func emit(_ value: JSONValue?, human: () -> String?) {
        if json {
            print((value ?? .null).prettyString)
        } else if let text = human(), !text.isEmpty {
            print(text)
        }
    }
}
