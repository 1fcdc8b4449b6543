import Foundation
import SweepJSON

/// JSON given on the command line: a file path, inline text, or `@file` / `@-` (stdin).
enum JSONInput {
    static func readFile(_ path: String) throws(CLIError) -> [UInt8] {
        if path == "-" { return Array(Terminal.readStandardInput(trimmingNewline: false).utf8) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError.usage("cannot read \(path)")
        }
        return [UInt8](data)
    }

    static func parseFile(_ path: String) throws(CLIError) -> JSONValue {
        let bytes = try readFile(path)
        do { return try JSONParser.parse(bytes) } catch { throw CLIError.usage("\(path) is not valid JSON: \(error)") }
    }

    /// `--input`: inline JSON, or `@path` to read it from a file.
    static func parseArgument(_ argument: String) throws(CLIError) -> JSONValue {
        if argument.hasPrefix("@") { return try parseFile(String(argument.dropFirst())) }
        do { return try JSONParser.parse(argument) } catch { throw CLIError.usage("--input is not valid JSON: \(error)") }
    }
}
