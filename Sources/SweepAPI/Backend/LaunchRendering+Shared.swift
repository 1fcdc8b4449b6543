import SweepJSON

extension LaunchRendering {
    /// The status document with one more member (`"shared"`: the launch's shared data, backend workflows),
    /// spliced before its closing brace like `statusBody` splices the pre-rendered parts.
    static func adding(_ name: String, _ value: JSONValue, to body: [UInt8]) -> [UInt8] {
        guard body.last == UInt8(ascii: "}"), body.count > 2 else { return body }
        var result = body
        result.removeLast()
        result += Array(",\"\(name)\":".utf8) + value.jsonBytes
        result.append(UInt8(ascii: "}"))
        return result
    }
}
