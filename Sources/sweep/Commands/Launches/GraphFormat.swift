import ArgumentParser

/// The output languages of `sweep graph`.
enum GraphFormat: String, ExpressibleByArgument, CaseIterable {
    case dot
    case mermaid
}
