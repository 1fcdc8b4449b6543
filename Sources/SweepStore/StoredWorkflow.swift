import Foundation
import SweepJSON

public struct StoredWorkflow: Sendable {
    public let workflowID: String
    public let version: Int
    public let definition: JSONValue
    public let createdAt: Date
}
