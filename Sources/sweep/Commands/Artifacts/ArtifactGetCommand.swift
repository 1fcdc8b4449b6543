import ArgumentParser
import SweepJSON

/// `sweep artifact get NAME [-o FILE]`: streams the artifact to a file (default: its name in the current folder;
/// `-` for standard output) and checks it against the SHA-256 the server announces.
struct ArtifactGetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "get", abstract: "Download an artifact.")

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("The artifact's name.", valueName: "name"))
    var name: String

    @Option(name: [.short, .customLong("output")], help: "Where to write it (default: ./NAME; '-' for standard output).")
    var output: String?

    func run() throws {
        let path = output ?? name
        let (written, sha256) = try VerifiedDownload.save(try options.client(), ["artifacts", name], to: path, what: name)
        if path != "-" {
            options.emit(["name": .string(name), "path": .string(path), "size": .int(written), "sha256": .string(sha256)]) {
                "Downloaded \(name) to \(path): \(written) bytes, sha256 \(sha256)."
            }
        }
    }
}
