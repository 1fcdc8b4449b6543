import ArgumentParser

/// `sweep workflow …`: versioned workflow definitions.
struct WorkflowCommand: ParsableCommand, DefinitionResource {
    static let configuration = CommandConfiguration(
        commandName: "workflow", abstract: "Register and manage workflows.",
        subcommands: [RegisterCommand<Self>.self, ListCommand<Self>.self, WorkflowShowCommand.self, DeleteCommand<Self>.self])

    static let noun = "workflow"
    static let path = "workflows"
    static let idKey = "workflow_id"
    static let columns = [Table.Column("WORKFLOW", "workflow_id"), Table.Column("VERSION", "version"),
                          Table.Column("CREATED", "created_at")]
}
