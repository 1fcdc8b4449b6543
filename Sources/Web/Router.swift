/// Routes by method and path pattern (`/api/v1/workflows/{id}`). An unknown path is 404; a known path with another
/// method is 405 with an `Allow` header (API fuzzers send every method).
public struct Router: Responder {
    /// A class: the lookup walks routes on every request, and a struct's four references were retained and
    /// released for each route passed (3.4% of a `/me` in the profile).
    final class Route: Sendable {
        let method: HTTPMethod
        let segments: [Segment]
        let responder: any Responder
        let pattern: String
        /// Time spent answering this route, from match to response (authentication included).
        let latency = LatencyHistogram()

        init(method: HTTPMethod, segments: [Segment], responder: any Responder, pattern: String) {
            self.method = method
            self.segments = segments
            self.responder = responder
            self.pattern = pattern
        }
    }

    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    private var routes: [Route] = []
    /// The routes by their number of segments, in registration order: a path is only matched against routes of
    /// its own length.
    private var routesByLength: [[Route]] = []

    public init() {}

    /// Every registered `METHOD pattern`, for checking the OpenAPI document against what is served.
    public var routeTable: [(method: HTTPMethod, pattern: String)] { routes.map { ($0.method, $0.pattern) } }

    /// Each route's latency histogram, for `/metrics`.
    public var routeLatencies: [(method: HTTPMethod, pattern: String, histogram: LatencyHistogram)] {
        routes.map { ($0.method, $0.pattern, $0.latency) }
    }

    public mutating func add(_ method: HTTPMethod, _ pattern: String, _ responder: any Responder) {
        let segments = pattern.split(separator: "/").map { part -> Segment in
            if part.hasPrefix("{"), part.hasSuffix("}") { return .parameter(String(part.dropFirst().dropLast())) }
            return .literal(String(part))
        }
        let route = Route(method: method, segments: segments, responder: responder, pattern: pattern)
        routes.append(route)
        while routesByLength.count <= segments.count { routesByLength.append([]) }
        routesByLength[segments.count].append(route)
    }

    public mutating func on(_ method: HTTPMethod, _ pattern: String, _ handler: @escaping @Sendable (Request, RequestContext) throws -> Response) {
        add(method, pattern, ClosureResponder(handler))
    }

    public func respond(to request: Request, context: RequestContext) throws -> Response {
        // One spelling per route: a trailing or doubled slash names nothing. nginx limits login by its normalised
        // path, so another spelling that still reached the handler would be a way around that limit.
        guard request.path == "/" || Self.isCanonical(request.path) else {
            throw APIError.notFound("route \(request.path)")
        }
        let parts = request.path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        var allowed: [HTTPMethod] = []
        for route in parts.count < routesByLength.count ? routesByLength[parts.count] : [] {
            guard let parameters = Router.match(route.segments, parts) else { continue }
            if route.method == request.method || (request.method == .HEAD && route.method == .GET) {
                var routed = request
                routed.pathParameters = parameters
                let start = ContinuousClock.now
                defer { route.latency.observe(ContinuousClock.now - start) }
                return try route.responder.respond(to: routed, context: context)
            }
            allowed.append(route.method)
        }
        if allowed.isEmpty { throw APIError.notFound("route \(request.path)") }
        throw APIError.methodNotAllowed(allowed)
    }

    /// Starts with a slash, does not end with one, holds no two in a row. On bytes: `String.contains("//")`
    /// (StringProcessing's generic search) was 4% of a `GET /api/v1/me` in the profile.
    static func isCanonical(_ path: String) -> Bool {
        var previous: UInt8 = 0
        var first = true
        for byte in path.utf8 {
            if first {
                guard byte == UInt8(ascii: "/") else { return false }
                first = false
            } else if byte == UInt8(ascii: "/"), previous == byte {
                return false
            }
            previous = byte
        }
        return !first && previous != UInt8(ascii: "/")
    }

    static func match(_ segments: [Segment], _ parts: [String]) -> [String: String]? {
        guard segments.count == parts.count else { return nil }
        var parameters: [String: String] = [:]
        for (segment, part) in zip(segments, parts) {
            switch segment {
            case .literal(let literal): if literal != part { return nil }
            case .parameter(let name):
                // A NUL can name nothing we store (PostgreSQL text cannot hold it): no route matches it.
                guard let decoded = QueryString.percentDecode(part), !decoded.utf8.contains(0) else { return nil }
                parameters[name] = decoded
            }
        }
        return parameters
    }
}
