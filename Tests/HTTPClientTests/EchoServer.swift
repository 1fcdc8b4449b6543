import Foundation

/// Runs Fixtures/echo_server.py for one test: started in init, stopped in `stop()`. The server prints its port as
/// its first line (read here, so no sleeping) and exits by itself if this process dies (its stdin closes).
final class EchoServer {
    let port: Int
    private let process = Process()
    private let input = Pipe()

    init() throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/echo_server.py")
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path]
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        var line: [UInt8] = []
        let reader = output.fileHandleForReading
        while let byte = try reader.read(upToCount: 1)?.first, byte != UInt8(ascii: "\n") { line.append(byte) }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
            process.terminate()
            throw FixtureError(message: "echo_server.py printed no port: \(String(decoding: line, as: UTF8.self))")
        }
        self.port = port
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    func stop() {
        if process.isRunning { process.terminate() }
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    struct FixtureError: Error { let message: String }
}

/// Decodes the echo endpoint's JSON body.
func echoed(_ body: [UInt8]) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] ?? [:]
}
