import ArgumentParser

/// `sweep artifact upload|list|get|rm`: your named files, for tasks that declare them.
struct ArtifactCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "artifact", abstract: "Upload, list, download and delete artifacts (large input files for tasks).",
        subcommands: [ArtifactUploadCommand.self, ArtifactListCommand.self, ArtifactGetCommand.self, ArtifactRemoveCommand.self])
}
