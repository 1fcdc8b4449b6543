import Foundation

/// The SWEEP documentation's examples 1-4 and 6-8, exactly as written there. They live once, in `examples/seed/`,
/// where the integration tests register and run the same files through the API.
enum SweepExamples {
    static let example1 = load("example1")
    static let example2 = load("example2")
    static let example3 = load("example3")
    static let example4 = load("example4")
    static let example6 = load("wf_overrides")
    static let example7 = load("wf_overrides_dynamic")
    static let example8 = load("wf_static_output")

    /// `examples/seed/NAME.json`, found from this file's place in the repository.
    private static func load(_ name: String) -> String {
        let root = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // Fixtures
            .deletingLastPathComponent()  // SweepModelTests
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()
        let file = root.appendingPathComponent("examples/seed/\(name).json")
        guard let text = try? String(contentsOf: file, encoding: .utf8) else {
            fatalError("missing seed example \(file.path)")
        }
        return text
    }
}
