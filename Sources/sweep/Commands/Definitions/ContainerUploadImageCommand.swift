import ArgumentParser
import Foundation
import SweepJSON

/// `sweep container upload-image ID ARCHIVE [--overwrite]`: the image of a registered container definition, from a
/// `docker save` / `podman save` archive (SWEEP's `upload_container_def` with its `--overwrite`).
struct ContainerUploadImageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upload-image", abstract: "Upload the image archive of a container definition.",
        discussion: "The archive must hold the definition's image_name:image_tag (docker-archive or OCI). An image already uploaded is kept unless --overwrite is given.")

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("The container definition's id.", valueName: "id"))
    var id: String

    @Argument(help: ArgumentHelp("The image archive (docker save / podman save).", valueName: "archive"))
    var archive: String

    @Flag(help: "Replace an image already uploaded under the same name and tag.")
    var overwrite = false

    func validate() throws {
        guard FileManager.default.isReadableFile(atPath: archive) else { throw ValidationError("cannot read \(archive)") }
    }

    func run() throws {
        let bytes = try JSONInput.readFile(archive)
        let client = try options.client()
        let response = try client.exchange(
            .put, client.url(["containers", id, "image"], query: overwrite ? [("overwrite", "true")] : []), body: bytes,
            contentType: "application/x-tar", timeout: .seconds(600))
        let answer = try APIClient.decode(response) ?? .null
        options.emit(answer) {
            "Uploaded image \(answer["image"]?.stringValue ?? "") for container \(id) (\(bytes.count) bytes, \(answer["digest"]?.stringValue ?? ""))."
        }
    }
}
