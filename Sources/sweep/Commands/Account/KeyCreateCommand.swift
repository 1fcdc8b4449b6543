import ArgumentParser

/// `sweep keys create NAME`: prints the new key (shown this once).
struct KeyCreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create an API key; the key is printed this once.")

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("A name to recognise the key by.", valueName: "name"))
    var name: String

    func validate() throws {
        guard (1...200).contains(name.count) else { throw ValidationError("the name must be 1 to 200 characters") }
    }

    func run() throws {
        let answer = try options.client().request(.post, ["api-keys"], json: ["name": .string(name)])
        options.emit(answer) {
            "Created key \(answer?["id"]?.cellText ?? "?") (\(name)). It is shown this once:\n\(answer?["key"]?.cellText ?? "")"
        }
    }
}
