import ArgumentParser

/// `sweep workflow show ID [--version N]`.
struct WorkflowShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a workflow (latest version by default).")

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("The workflow id.", valueName: "id"))
    var id: String

    @Option(name: .customLong("version"), help: ArgumentHelp("Show this stored version instead of the latest.", valueName: "n"))
    var workflowVersion: Int?

    func validate() throws {
        if let workflowVersion, workflowVersion < 1 { throw ValidationError("--version must be 1 or more") }
    }

    func run() throws {
        let answer = try options.client().get("workflows", id, query: [("version", workflowVersion.map(String.init))])
        options.emit(answer) { answer.prettyString }
    }
}
