/// The exit codes scripts can rely on (documented in `sweep --help`).
enum ExitStatus: Int32 {
    case ok = 0
    /// `--wait` / `watch`: the launch ended failed or cancelled.
    case launchFailed = 1
    case usage = 2
    /// 401 or 403, or no API key configured.
    case auth = 3
    case notFound = 4
    /// The server could not be reached (connection refused, unknown host, timeout).
    case unreachable = 5
    /// Any other 4xx: malformed request, invalid definition, conflict, rate limit.
    case rejected = 6
    /// 5xx, or an answer that is not what the API promises.
    case serverError = 7

    static func forHTTPStatus(_ status: Int) -> ExitStatus {
        switch status {
        case 401, 403: .auth
        case 404: .notFound
        case 400..<500: .rejected
        default: .serverError
        }
    }
}
