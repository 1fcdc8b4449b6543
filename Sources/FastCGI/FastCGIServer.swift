import BlockingCalls
import CFastCGI
import Foundation
import Glibc
import Logging
import Service
import Web
import DurationUnits

/// A pool of threads, each looping on `FCGX_Accept_r` over one listening socket, answering with a `Responder`.
public final class FastCGIServer: Sendable {
    public struct Configuration: Sendable {
        /// A unix socket path (`/run/sweep/api.sock`) or `:PORT`/`HOST:PORT`.
        public var bindAddress: String
        public var threads: Int
        /// How many of them run at once (ActiveThreadGate); the others stand in while those wait on I/O.
        public var activeThreads: Int
        public var maxBodyBytes: Int
        public var backlog: Int32
        /// Requests (method, path) whose bodies are handed to the responder as a `RequestBodyStream`, unbuffered
        /// and not bound by `maxBodyBytes` (their handler enforces its own limit): artifact uploads.
        public var streamsBody: @Sendable (HTTPMethod, String) -> Bool

        public init(bindAddress: String, threads: Int = 8, activeThreads: Int? = nil, maxBodyBytes: Int = 8 << 20,
                    backlog: Int32 = 1024, streamsBody: @escaping @Sendable (HTTPMethod, String) -> Bool = { _, _ in false }) {
            self.bindAddress = bindAddress
            self.threads = threads
            self.activeThreads = min(threads, activeThreads ?? Self.processors)
            self.maxBodyBytes = maxBodyBytes
            self.backlog = backlog
            self.streamsBody = streamsBody
        }

        /// The processors online.
        public static var processors: Int {
            max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        }
    }

    let configuration: Configuration
    let responder: any Responder
    let logger: Logger
    /// Which request threads run at once; the application may publish its counts (`RequestThreadGauge`).
    let gate: ActiveThreadGate

    /// `gate` defaults to one letting `configuration.activeThreads` run.
    public init(configuration: Configuration, responder: any Responder, logger: Logger, gate: ActiveThreadGate? = nil) {
        self.configuration = configuration
        self.responder = responder
        self.logger = logger
        self.gate = gate ?? ActiveThreadGate(limit: configuration.activeThreads)
    }

    /// Serves until SIGTERM or SIGINT; requests in flight finish before it returns.
    public func run() throws {
        // libfcgi: FCGX_Init must run before any thread calls into the library.
        guard FCGX_Init() == 0 else { throw FastCGIError("FCGX_Init failed") }
        try checkBindable()
        let listenFD = FCGX_OpenSocket(configuration.bindAddress, configuration.backlog)
        guard listenFD >= 0 else { throw FastCGIError("cannot listen on \(configuration.bindAddress)") }
        if configuration.bindAddress.hasPrefix("/") {
            // nginx workers may run as another user.
            chmod(configuration.bindAddress, 0o666)
        }

        // Only the wait below sees TERM/INT: libfcgi's own handlers would just set a flag while the threads sit in
        // accept.
        let signals = TerminationSignals.block()

        let poller = try ConnectionPoller(listenFD: listenFD)
        let finished = DispatchGroup()
        for index in 0..<configuration.threads {
            finished.enter()
            let thread = Thread { [self] in
                requestLoop(poller, gate)
                finished.leave()
            }
            thread.name = "fcgi-\(index)"
            thread.stackSize = 1 << 20
            thread.start()
        }
        logger.info("serving", metadata: [
            "bind": "\(configuration.bindAddress)", "threads": "\(configuration.threads)", "active": "\(gate.limit)",
        ])

        let received = signals.wait()
        logger.info("stopping: finishing requests in flight", metadata: ["signal": "\(received)"])
        FCGX_ShutdownPending()
        // Waiting threads return from the poller; a thread busy with a request finishes it first.
        poller.stop()
        gate.stop()
        shutdown(listenFD, Int32(SHUT_RDWR))
        finished.wait()
        logger.info("stopped")
    }

    /// libfcgi's FCGX_OpenSocket calls exit() itself when bind fails; check first to give a clear message.
    private func checkBindable() throws {
        let path = configuration.bindAddress
        guard path.hasPrefix("/") else { return }
        let directory = (path as NSString).deletingLastPathComponent
        guard access(directory, W_OK) == 0 else {
            throw FastCGIError("cannot create the socket \(path): directory \(directory) is missing or not writable")
        }
    }

    private func requestLoop(_ poller: ConnectionPoller, _ gate: ActiveThreadGate) {
        BlockingCall.observe(gate)
        defer { BlockingCall.observe(nil) }
        guard gate.enter() else { return }
        var request = FastCGIRequest(listenSocket: -1)
        var ids = RequestID()
        while let connection = gate.waitingForRequest({ poller.next() }) {
            if request.read(from: connection) {
                if serve(request, poller, requestID: ids.make()) {
                    // The stream owns that connection now; take a fresh request slot for the next one.
                    request = FastCGIRequest(listenSocket: -1)
                } else if let kept = request.finishKeepingConnection() {
                    poller.keep(kept)
                }
            }
            // Not counted by the gate once this is false: it gave its place up and got none back.
            guard gate.requestFinished() else { return }
        }
        gate.leave()
    }

    /// Answers one request; true when the connection was handed to a stream.
    private func serve(_ fcgi: FastCGIRequest, _ poller: ConnectionPoller, requestID: String) -> Bool {
        let start = ContinuousClock.now
        let methodName = fcgi.param("REQUEST_METHOD") ?? "GET"
        let uri = fcgi.param("REQUEST_URI") ?? "/"
        let (path, queryString) = split(uri)
        var logger = self.logger
        logger[metadataKey: "request_id"] = "\(requestID)"
        if let trace = RequestTrace.traceParent(header: fcgi.param("HTTP_TRACEPARENT"), path: path, requestID: requestID) {
            // Rendered only if a line is written (the level drops most): the header string costs as much as the rest of the set.
            logger[metadataKey: "traceparent"] = .stringConvertible(trace)
        }
        let context = RequestContext(requestID: requestID, logger: logger, remoteAddress: fcgi.param("REMOTE_ADDR") ?? "")

        var response: Response
        if let method = HTTPMethod(rawValue: methodName) {
            let length = Int(fcgi.param("CONTENT_LENGTH") ?? "") ?? 0
            if configuration.streamsBody(method, path) {
                let reader = FastCGIBodyReader(fcgi, declaredLength: Int(fcgi.param("CONTENT_LENGTH") ?? ""))
                do throws(APIError) {
                    // The same edge checks as every other request (EdgeCheck), before the body is read.
                    try EdgeCheck.path(path)
                    var request = Request(method: method, path: path, query: try EdgeCheck.query(queryString), lowercasedHeaders: try fcgi.headers())
                    request.bodyStream = reader
                    response = respond(to: request, context: context)
                } catch {
                    response = error.response
                }
                reader.drain()
            } else if length > configuration.maxBodyBytes {
                response = APIError.payloadTooLarge(limit: configuration.maxBodyBytes).response
            } else {
                do throws(APIError) {
                    // The edge: a request line or header PostgreSQL text could not hold is a 400 here (EdgeCheck).
                    guard fcgi.rawParam("REQUEST_URI").map({ String(validating: $0, as: UTF8.self) != nil }) ?? true else {
                        throw APIError.badRequest("invalid_path", "the request line is not valid UTF-8")
                    }
                    try EdgeCheck.path(path)
                    let request = Request(method: method, path: path, query: try EdgeCheck.query(queryString), lowercasedHeaders: try fcgi.headers(),
                                          body: fcgi.readBody(length: length))
                    response = respond(to: request, context: context)
                } catch {
                    response = error.response
                }
                if method == .HEAD { response.body = [] }
            }
        } else {
            response = APIError.methodNotAllowed(HTTPMethod.allCases).response
        }

        if response.isParked, let stream = response.stream {
            // Nothing is written now: the stream answers later, from its own thread (see Response.parked).
            logger.debug("request parked", metadata: ["method": "\(methodName)", "path": "\(path)"])
            stream.attach(FastCGIStreamSink(fcgi, requestID: requestID, poller: poller))
            return true
        }
        response.setHeader("X-Request-Id", requestID)
        // Headers and a plain body go out as one buffer: one copy into libfcgi's stream, one write(2) at finish.
        let plainBody = response.stream == nil && (response.bodyProducer == nil || methodName == "HEAD")
        fcgi.write(Self.message(of: response, body: plainBody ? response.body : []))
        let elapsed = ContinuousClock.now - start
        let millis = elapsed.fractionalMilliseconds
        logger.info("request", metadata: [
            "method": "\(methodName)", "path": "\(path)", "status": "\(response.status.code)",
            "ms": "\(String(format: "%.2f", millis))",
        ])
        if let stream = response.stream {
            guard fcgi.flush() else { return false }
            stream.attach(FastCGIStreamSink(fcgi, requestID: requestID, poller: poller))
            return true
        }
        if let producer = response.bodyProducer, methodName != "HEAD" {
            do {
                try producer.produce { piece in fcgi.write(piece) }
            } catch {
                // The headers are gone already: all that is left is to cut the response short, which the client
                // sees as a body shorter than its Content-Length.
                logger.error("response body failed after the headers", metadata: ["error": "\(error)"])
            }
            return false
        }
        return false
    }

    private func respond(to request: Request, context: RequestContext) -> Response {
        // The application's ErrorMiddleware turns errors into answers (applied once, in its responder chain); the
        // transport only guarantees that nothing thrown escapes a request thread.
        do {
            return try responder.respond(to: request, context: context)
        } catch {
            context.logger.error("unhandled error reached the transport", metadata: ["error": "\(String(reflecting: type(of: error)))"])
            return APIError(status: .internalServerError, code: "internal_error", message: "internal error").response
        }
    }

    /// The CGI response head (`Status:` and the headers), then `body`, as bytes. Built on bytes, not by String
    /// interpolation: this runs for every answer.
    static func message(of response: Response, body: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(128 + response.headers.count * 48 + body.count)
        out.append(contentsOf: "Status: ".utf8)
        out.append(contentsOf: String(response.status.code).utf8)
        out.append(UInt8(ascii: " "))
        out.append(contentsOf: response.status.reasonPhrase.utf8)
        out.append(contentsOf: crlf)
        var hasLength = false
        for (name, value) in response.headers {
            out.append(contentsOf: name.utf8)
            out.append(contentsOf: ": ".utf8)
            // Header injection guard: a value never carries a line break.
            for byte in value.utf8 where byte != UInt8(ascii: "\r") && byte != UInt8(ascii: "\n") { out.append(byte) }
            out.append(contentsOf: crlf)
            if !hasLength, Self.isContentLength(name) { hasLength = true }
        }
        if response.stream == nil, !hasLength {
            out.append(contentsOf: "Content-Length: ".utf8)
            out.append(contentsOf: String(response.body.count).utf8)
            out.append(contentsOf: crlf)
        }
        out.append(contentsOf: crlf)
        out.append(contentsOf: body)
        return out
    }

    private static let crlf: [UInt8] = [13, 10]

    private static func isContentLength(_ name: String) -> Bool {
        let wanted = "content-length".utf8
        guard name.utf8.count == wanted.count else { return false }
        return zip(name.utf8, wanted).allSatisfy { byte, lower in
            (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte) == lower
        }
    }

    private func split(_ uri: String) -> (String, String) {
        guard let mark = uri.firstIndex(of: "?") else { return (uri, "") }
        return (String(uri[..<mark]), String(uri[uri.index(after: mark)...]))
    }
}

public struct FastCGIError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
