import Foundation
import SweepCrypto
import Testing

struct SecretBoxTests {
    let box = try! SecretBox(key: Array(0..<32))

    @Test func sealedValuesOpenWithTheSameKeyAndAssociatedData() throws {
        let secret = Array("{\"token\":\"hunter2\"}".utf8)
        let sealed = box.seal(secret, associatedData: Array("destinations:1:a".utf8))
        #expect(sealed.hasPrefix("v1:"))
        #expect(!sealed.contains("hunter2"))
        #expect(try box.open(sealed, associatedData: Array("destinations:1:a".utf8)) == secret)
        // A fresh nonce each time: the same secret never seals to the same text.
        #expect(box.seal(secret, associatedData: []) != box.seal(secret, associatedData: []))
        #expect(try box.open(box.seal([], associatedData: []), associatedData: []) == [])
    }

    @Test func anotherRowAnotherKeyOrAnAlteredByteDoesNotOpen() throws {
        let sealed = box.seal(Array("secret".utf8), associatedData: Array("destinations:1:a".utf8))
        #expect(throws: SecretBoxError.forged) { try box.open(sealed, associatedData: Array("destinations:2:a".utf8)) }
        let other = try SecretBox(key: Array(repeating: 7, count: 32))
        #expect(throws: SecretBoxError.forged) { try other.open(sealed, associatedData: Array("destinations:1:a".utf8)) }
        var bytes = Array(sealed.utf8)
        let i = bytes.count - 5
        bytes[i] = bytes[i] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(throws: SecretBoxError.forged) { try box.open(String(decoding: bytes, as: UTF8.self), associatedData: Array("destinations:1:a".utf8)) }
        #expect(throws: SecretBoxError.notSealed) { try box.open("{\"a\":1}", associatedData: []) }
        #expect(throws: SecretBoxError.notSealed) { try box.open("v1:AAAA", associatedData: []) }
    }

    @Test func keysMustBe256Bits() {
        #expect(throws: SecretBoxError.self) { try SecretBox(key: Array(repeating: 1, count: 16)) }
    }

    @Test func theKeyFileIsHexAndPrivate() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("secretbox-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("key").path
        let hex = String(repeating: "0a", count: 32)
        _ = FileManager.default.createFile(atPath: path, contents: Data((hex + "\n").utf8), attributes: [.posixPermissions: 0o600])
        let fromFile = try SecretBox(keyFile: path)
        let sealed = fromFile.seal([1, 2, 3], associatedData: [])
        #expect(try SecretBox(key: Array(repeating: 10, count: 32)).open(sealed, associatedData: []) == [1, 2, 3])
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        #expect(throws: SecretBoxError.self) { try SecretBox(keyFile: path) }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        _ = FileManager.default.createFile(atPath: path, contents: Data("not hex".utf8), attributes: [.posixPermissions: 0o600])
        #expect(throws: SecretBoxError.self) { try SecretBox(keyFile: path) }
        #expect(throws: SecretBoxError.self) { try SecretBox(keyFile: dir.appendingPathComponent("missing").path) }
    }
}
