import ArgumentParser
import Foundation

/// `sweep <kind> register FILE`: POST the definition file.
struct RegisterCommand<Resource: DefinitionResource>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "register", abstract: "Register a \(Resource.noun) definition from a JSON file.")
    }

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("The definition JSON file ('-' for stdin).", valueName: "file"))
    var file: String

    func validate() throws {
        guard file == "-" || FileManager.default.isReadableFile(atPath: file) else {
            throw ValidationError("cannot read \(file)")
        }
    }

    func run() throws {
        let definition = try JSONInput.parseFile(file)
        let answer = try options.client().request(.post, [Resource.path], json: definition)
        options.emit(answer) {
            let id = answer?[Resource.idKey]?.cellText ?? definition[Resource.idKey]?.cellText ?? "?"
            let version = answer?["version"].map { " (version \($0.cellText))" } ?? ""
            return "Registered \(Resource.noun) \(id)\(version)."
        }
    }
}
