import ArgumentParser

/// `sweep container …`: container definitions (image, command, environment).
struct ContainerCommand: ParsableCommand, DefinitionResource {
    static let configuration = CommandConfiguration(
        commandName: "container", abstract: "Register and manage container definitions.",
        subcommands: [RegisterCommand<Self>.self, ListCommand<Self>.self, ShowCommand<Self>.self, DeleteCommand<Self>.self,
                      ContainerUploadImageCommand.self])

    static let noun = "container"
    static let path = "containers"
    static let idKey = "id"
    static let columns = [Table.Column("ID", "id"), Table.Column("DESTINATION", "destination_id"),
                          Table.Column("IMAGE", "image_name"), Table.Column("TAG", "image_tag")]
}
