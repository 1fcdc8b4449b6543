import SweepJSON

/// What an image archive (`docker save` / `podman save`, or an OCI archive) says it holds, read without unpacking
/// it: each image's names and its config, whose SHA-256 is the image id podman runs. Pure: the API checks an upload
/// with it before storing anything, on hosts that may have no container runtime at all.
public struct ImageArchive: Sendable {
    public struct Image: Sendable, Equatable {
        /// As written in the archive, e.g. `localhost/hello_world:latest` or `hello_world:latest`.
        public var names: [String]
        /// docker-archive: the config file's bytes (the image id is their SHA-256). OCI: nil, see `configDigest`.
        public var config: [UInt8]?
        /// OCI: the config descriptor's digest (`sha256:…`), which podman verifies while loading.
        public var configDigest: String?
    }

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case notATar(String)
        case noManifest
        case invalidManifest(String)

        /// What the API tells the uploader (a Swift enum's own spelling, `notATar("…")`, showed before).
        public var description: String {
            switch self {
            case .notATar(let reason): "it is not a tar archive (\(reason))"
            case .noManifest: "it holds neither manifest.json (docker save) nor index.json (OCI)"
            case .invalidManifest(let reason): reason
            }
        }
    }

    public var images: [Image]

    public init(_ bytes: [UInt8]) throws(Failure) {
        let entries = try Self.entries(bytes)
        func file(_ name: String) -> [UInt8]? {
            entries[name].map { Array(bytes[$0]) } ?? entries["./" + name].map { Array(bytes[$0]) }
        }
        if let manifest = file("manifest.json") {
            guard let list = (try? JSONParser.parse(manifest))?.arrayValue else { throw .invalidManifest("manifest.json is not a JSON list") }
            images = try list.map { entry throws(Failure) in
                guard let configName = entry["Config"]?.stringValue, let config = file(configName) else {
                    throw .invalidManifest("manifest.json names a config file the archive does not hold")
                }
                return Image(names: (entry["RepoTags"]?.arrayValue ?? []).compactMap(\.stringValue), config: config)
            }
        } else if let index = file("index.json") {
            guard let manifests = (try? JSONParser.parse(index))?["manifests"]?.arrayValue else { throw .invalidManifest("index.json has no manifests") }
            images = try manifests.map { descriptor throws(Failure) in
                guard let digest = descriptor["digest"]?.stringValue, let blob = file("blobs/" + digest.replacingColon()),
                    let configDigest = (try? JSONParser.parse(blob))?["config"]?["digest"]?.stringValue
                else { throw .invalidManifest("index.json names a manifest the archive does not hold") }
                let name = descriptor["annotations"]?["org.opencontainers.image.ref.name"]?.stringValue
                return Image(names: name.map { [$0] } ?? [], config: nil, configDigest: configDigest)
            }
        } else {
            throw .noManifest
        }
    }

    /// The image named `name:tag`, whether the archive says `name:tag`, `localhost/name:tag` or
    /// `docker.io/library/name:tag`.
    public func image(named name: String, tag: String) -> Image? {
        let wanted = Self.normalized(name + ":" + tag)
        return images.first { $0.names.contains { Self.normalized($0) == wanted } }
    }

    static func normalized(_ reference: String) -> String {
        for prefix in ["localhost/", "docker.io/library/", "docker.io/"] where reference.hasPrefix(prefix) {
            return String(reference.dropFirst(prefix.count))
        }
        return reference
    }

    /// Every regular file of a ustar/GNU/pax tar, by name, as a range of `bytes`. Long names (GNU `L` records, pax
    /// `path`) are honoured; anything malformed ends the archive as `notATar`.
    static func entries(_ bytes: [UInt8]) throws(Failure) -> [String: Range<Int>] {
        var entries: [String: Range<Int>] = [:]
        var offset = 0
        var longName: String?
        while offset + 512 <= bytes.count {
            let header = bytes[offset..<offset + 512]
            if header.allSatisfy({ $0 == 0 }) { break }
            guard let size = octal(bytes[offset + 124..<offset + 136]) else { throw .notATar("a header has no valid size") }
            let dataStart = offset + 512
            guard dataStart + size <= bytes.count else { throw .notATar("an entry runs past the end of the archive") }
            let type = bytes[offset + 156]
            var name = longName ?? text(bytes[offset..<offset + 100])
            if longName == nil, Array(bytes[offset + 257..<offset + 262]) == Array("ustar".utf8) {
                let prefix = text(bytes[offset + 345..<offset + 500])
                if !prefix.isEmpty { name = prefix + "/" + name }
            }
            longName = nil
            switch type {
            case UInt8(ascii: "L"):
                longName = text(bytes[dataStart..<dataStart + size])
            case UInt8(ascii: "x"):
                longName = paxPath(bytes[dataStart..<dataStart + size])
            case UInt8(ascii: "0"), 0:
                entries[name] = dataStart..<dataStart + size
            default:
                break
            }
            offset = dataStart + (size + 511) / 512 * 512
        }
        if entries.isEmpty { throw .notATar("no files in the archive") }
        return entries
    }

    private static func octal(_ field: ArraySlice<UInt8>) -> Int? {
        var value = 0
        var digits = 0
        for byte in field {
            if byte == 0 || byte == UInt8(ascii: " ") { if digits > 0 { break } else { continue } }
            guard (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(byte) else { return nil }
            value = value * 8 + Int(byte - UInt8(ascii: "0"))
            digits += 1
            if value > 1 << 40 { return nil }
        }
        return digits > 0 ? value : nil
    }

    private static func text(_ field: ArraySlice<UInt8>) -> String {
        String(decoding: field.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// pax records are `LEN key=value\n`; only `path` matters here.
    private static func paxPath(_ data: ArraySlice<UInt8>) -> String? {
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            guard let space = line.firstIndex(of: " ") else { continue }
            let record = line[line.index(after: space)...]
            if record.hasPrefix("path=") { return String(record.dropFirst(5)) }
        }
        return nil
    }
}

private extension String {
    /// `sha256:abc` → `sha256/abc`, the blob's path in an OCI layout.
    func replacingColon() -> String {
        guard let colon = firstIndex(of: ":") else { return self }
        return String(self[..<colon]) + "/" + String(self[index(after: colon)...])
    }
}
