import Foundation
import SweepJSON

/// A definition as stored: the JSON to show its owner (without secrets) and bookkeeping.
public struct StoredDefinition: Sendable {
    public let id: String
    public let definition: JSONValue
    public let codeSHA256: String?
    public let createdAt: Date
    public let updatedAt: Date
}
