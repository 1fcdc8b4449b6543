/// A kind of stored definition (destination, function, container, workflow) with the CRUD endpoints under
/// `/api/v1/<path>`; the generic register/list/show/delete commands work for any of them.
protocol DefinitionResource {
    /// Singular, for messages: "destination".
    static var noun: String { get }
    /// The collection's path segment: "destinations".
    static var path: String { get }
    /// The key of the id in a definition and in the create answer.
    static var idKey: String { get }
    static var columns: [Table.Column] { get }
}
