import ArgumentParser

/// `sweep graph ID --format dot|mermaid`: the launch's expanded DAG.
struct GraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph", abstract: "Print a launch's expanded task graph for Graphviz or Mermaid.",
        discussion: "Example: sweep graph L --format dot | dot -Tsvg > launch.svg")

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("The launch id.", valueName: "launch"))
    var launch: String

    @Option(help: ArgumentHelp("dot (Graphviz) or mermaid (for Markdown).", valueName: "format"))
    var format: GraphFormat = .dot

    func run() throws {
        let status = try options.client().get("launches", launch)
        let graph = LaunchGraph(status: status)
        if options.json {
            print(graph.json.prettyString)
            return
        }
        print(format == .dot ? graph.dot() : graph.mermaid(), terminator: "")
    }
}
