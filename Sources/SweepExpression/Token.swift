/// One lexical unit of an expression. Keywords stay `.name` tokens: the parser decides what a word means,
/// which lets it give a specific message for words it refuses (`lambda`, `import`, …).
struct Token: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case int(Int64)
        case float(Double)
        case string(String)
        case name(String)
        /// Punctuation and operators, longest match first (`**` before `*`).
        case op(String)
        case end
    }

    var kind: Kind
    /// Offset in Unicode scalars where the token starts.
    var position: Int

    /// How the token reads in an error message.
    var display: String {
        switch kind {
        case .int(let v): "number \(v)"
        case .float(let v): "number \(v)"
        case .string: "string literal"
        case .name(let n): "'\(n)'"
        case .op(let o): "'\(o)'"
        case .end: "end of expression"
        }
    }
}
