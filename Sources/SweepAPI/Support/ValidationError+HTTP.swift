import SweepJSON
import SweepModel
import Web

extension ValidationError {
    /// An invalid definition is a 422 naming the JSON pointer of the field at fault.
    var apiError: APIError {
        APIError.invalid(code.rawValue, message, field: field)
    }
}

extension Request {
    /// The body as JSON for a definition, refusing bodies over the model's size limit with a 413.
    func definitionBody() throws(APIError) -> JSONValue {
        guard body.count <= ModelLimits.maxDefinitionBytes else { throw APIError.payloadTooLarge(limit: ModelLimits.maxDefinitionBytes) }
        return try jsonBody()
    }
}
