import SweepStore
import Web

extension LimitExceeded {
    /// How long a client should wait before trying again; a launch or a stream usually ends within it.
    static let retryAfterSeconds = 10

    /// 429 `limit_exceeded`, naming the limit in `field`, with `Retry-After`.
    var apiError: APIError {
        APIError(status: .tooManyRequests, code: "limit_exceeded", message: message, field: "/" + field.rawValue,
                 extraHeaders: [("Retry-After", String(Self.retryAfterSeconds))])
    }
}
