/// A run of a launch's status as the database gives it for rendering (API.md's task run shape): its JSON parts as
/// JSON text (`input`, `output`, the edges, the task's label and description) and its timestamps already in
/// RFC 3339, so the API splices them into the answer without parsing anything.
public struct ListedRun {
    public let name: String
    public let taskID: String
    public let state: String
    public let attempt: Int
    public let inputJSON: String
    public let outputJSON: String
    public let error: String?
    public let createdAt: String
    public let startedAt: String?
    public let finishedAt: String?
    /// JSON arrays of run names, edges to hidden runs (succeeded scatter gates) left out.
    public let predecessorsJSON: String
    public let successorsJSON: String
    /// A JSON object of the task's `label`, `description` and `type` (those it has), or nil.
    public let extraJSON: String?
}
