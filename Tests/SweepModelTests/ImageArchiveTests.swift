import Testing
@testable import SweepModel

/// A minimal ustar writer: what `docker save` and `podman save` produce, for the reader under test.
private func tar(_ files: [(name: String, data: [UInt8])], type: UInt8 = UInt8(ascii: "0")) -> [UInt8] {
    var out: [UInt8] = []
    for (name, data) in files {
        var header = [UInt8](repeating: 0, count: 512)
        let nameBytes = Array(name.utf8)
        if nameBytes.count > 100 {
            // GNU long name: an `L` record holding the name, then the entry.
            out += tar([(name: "././@LongLink", data: nameBytes + [0])], type: UInt8(ascii: "L"))
        }
        for (index, byte) in nameBytes.prefix(100).enumerated() { header[index] = byte }
        let octal = String(data.count, radix: 8)
        let size = Array((String(repeating: "0", count: 11 - octal.count) + octal).utf8)
        for (index, byte) in size.enumerated() { header[124 + index] = byte }
        header[156] = type
        for (index, byte) in "ustar\u{0}00".utf8.enumerated() { header[257 + index] = byte }
        out += header + data + [UInt8](repeating: 0, count: (512 - data.count % 512) % 512)
    }
    return out
}

private func docker(tags: [String], extra: [(name: String, data: [UInt8])] = []) -> [UInt8] {
    let config = Array(#"{"architecture":"amd64","os":"linux"}"#.utf8)
    let manifest = Array("[{\"Config\":\"c.json\",\"RepoTags\":[\(tags.map { "\"\($0)\"" }.joined(separator: ","))],\"Layers\":[\"l.tar\"]}]".utf8)
    return tar([("manifest.json", manifest), ("c.json", config), ("l.tar", [UInt8](repeating: 7, count: 1000))] + extra)
        + [UInt8](repeating: 0, count: 1024)
}

@Test func dockerArchiveNamesItsImagesAndConfig() throws {
    let archive = try ImageArchive(docker(tags: ["localhost/hello_world:latest"]))
    #expect(archive.images.count == 1)
    let image = try #require(archive.image(named: "hello_world", tag: "latest"))
    #expect(image.config == Array(#"{"architecture":"amd64","os":"linux"}"#.utf8))
    #expect(archive.image(named: "hello_world", tag: "v2") == nil)
    #expect(archive.image(named: "other", tag: "latest") == nil)
}

@Test func referencesMatchWithOrWithoutTheDefaultRegistries() throws {
    for tag in ["hello_world:latest", "localhost/hello_world:latest", "docker.io/library/hello_world:latest"] {
        #expect(try ImageArchive(docker(tags: [tag])).image(named: "hello_world", tag: "latest") != nil, "\(tag)")
    }
    #expect(try ImageArchive(docker(tags: ["quay.io/hello_world:latest"])).image(named: "hello_world", tag: "latest") == nil)
}

@Test func ociIndexGivesTheConfigDigest() throws {
    let digest = "sha256:" + String(repeating: "a", count: 64)
    let manifest = Array("{\"config\":{\"digest\":\"\(digest)\"}}".utf8)
    let index = Array(#"{"manifests":[{"digest":"sha256:bbbb","annotations":{"org.opencontainers.image.ref.name":"localhost/hello_world:latest"}}]}"#.utf8)
    let archive = try ImageArchive(tar([("index.json", index), ("blobs/sha256/bbbb", manifest)]))
    let image = try #require(archive.image(named: "hello_world", tag: "latest"))
    #expect(image.configDigest == digest && image.config == nil)
}

@Test func longNamesAreFollowed() throws {
    let long = String(repeating: "d", count: 120) + ".json"
    let manifest = Array("[{\"Config\":\"\(long)\",\"RepoTags\":[\"x:y\"]}]".utf8)
    let archive = try ImageArchive(tar([("manifest.json", manifest), (long, Array("{}".utf8))]))
    #expect(archive.image(named: "x", tag: "y")?.config == Array("{}".utf8))
}

@Test func whatIsNotAnImageArchiveIsRefused() {
    #expect(throws: ImageArchive.Failure.self) { try ImageArchive(Array("not a tar".utf8)) }
    #expect(throws: ImageArchive.Failure.self) { try ImageArchive([UInt8](repeating: 0x41, count: 2048)) }
    #expect(throws: ImageArchive.Failure.noManifest) { try ImageArchive(tar([("readme.txt", Array("hi".utf8))])) }
    #expect(throws: ImageArchive.Failure.self) { try ImageArchive(tar([("manifest.json", Array("{}".utf8))])) }
    // The manifest names a config the archive does not hold.
    #expect(throws: ImageArchive.Failure.self) {
        try ImageArchive(tar([("manifest.json", Array(#"[{"Config":"missing.json","RepoTags":["a:b"]}]"#.utf8))]))
    }
    // A size running past the end.
    var truncated = docker(tags: ["a:b"])
    truncated.removeLast(1024 + 600)
    #expect(throws: ImageArchive.Failure.self) { try ImageArchive(truncated) }
}
