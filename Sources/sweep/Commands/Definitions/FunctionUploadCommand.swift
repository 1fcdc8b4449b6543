import ArgumentParser
import Foundation
import SweepJSON

/// `sweep function upload DEF.json CODE.zip|FOLDER`: registers the definition (an existing one is kept, so
/// re-running uploads new code), then uploads the code archive.
struct FunctionUploadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upload", abstract: "Register a function definition and upload its code.",
        discussion: "A folder is zipped first (stored, uncompressed), with paths relative to the folder, so main.py sits at the root of the archive.")

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("The function definition JSON file.", valueName: "definition"))
    var definition: String

    @Argument(help: ArgumentHelp("A zip archive, or a folder to zip.", valueName: "code"))
    var code: String

    func validate() throws {
        guard FileManager.default.isReadableFile(atPath: definition) else { throw ValidationError("cannot read \(definition)") }
        guard FileManager.default.fileExists(atPath: code) else { throw ValidationError("no such file or folder: \(code)") }
    }

    func run() throws {
        let definitionJSON = try JSONInput.parseFile(definition)
        guard let id = definitionJSON["id"]?.stringValue else {
            throw CLIError.usage("\(definition) has no string \"id\"")
        }
        let archive = try archiveBytes()
        let client = try options.client()

        let created = try client.exchange(.post, client.url(["functions"]), body: definitionJSON.jsonBytes)
        let registered = created.status != 409
        if registered { _ = try APIClient.decode(created) }

        let uploaded = try client.exchange(.put, client.url(["functions", id, "code"]), body: archive,
                                           contentType: "application/zip")
        let answer = try APIClient.decode(uploaded)
        var result: [String: JSONValue] = ["id": .string(id), "registered": .bool(registered)]
        if let answer { result["code"] = answer }
        options.emit(.object(result)) {
            let sha = answer?["sha256"]?.stringValue.map { " (sha256 \($0))" } ?? ""
            let prefix = registered ? "Registered function \(id); uploaded" : "Function \(id) exists; uploaded"
            return "\(prefix) \(archive.count) bytes of code\(sha)."
        }
    }

    private func archiveBytes() throws(CLIError) -> [UInt8] {
        var isDirectory: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: code, isDirectory: &isDirectory)
        guard isDirectory.boolValue else { return try JSONInput.readFile(code) }
        do {
            return try ZipArchive.stored(folder: URL(fileURLWithPath: code))
        } catch {
            throw CLIError.usage("cannot zip \(code): \(error)")
        }
    }
}
