import Web

/// A request that changed keys or users and succeeded clears this worker's auth cache before its answer leaves,
/// so the caller's next request sees the change even before the NOTIFY arrives (other workers get the NOTIFY).
/// Such requests are rare (key revocation, user administration, logout); clearing everything keeps this
/// independent of which route did what.
struct AuthCacheMiddleware: Middleware {
    static let prefixes = ["/api/v1/api-keys", "/api/v1/users", "/api/v1/auth/"]

    let cache: AuthCache

    func respond(to request: Request, context: RequestContext, next: any Responder) throws -> Response {
        let response = try next.respond(to: request, context: context)
        if ![.GET, .HEAD, .OPTIONS].contains(request.method), (200..<300).contains(response.status.code),
           Self.prefixes.contains(where: request.path.hasPrefix) {
            cache.invalidateAll()
        }
        return response
    }
}
