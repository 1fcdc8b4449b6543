import Foundation

/// Writes a zip archive of a folder with every file *stored* (method 0, no compression): enough for the server to
/// unpack, and no dependency on `zip` being installed. Entries are sorted and dated 1980-01-01, so the same folder
/// always gives the same bytes (and the same code sha256).
enum ZipArchive {
    struct Entry {
        let name: String
        let data: [UInt8]
        let mode: UInt16
    }

    static func stored(folder: URL) throws -> [UInt8] {
        let root = folder.standardizedFileURL.path
        guard let enumerator = FileManager.default.enumerator(atPath: root) else {
            throw CLIError.usage("cannot list \(root)")
        }
        var entries: [Entry] = []
        while let relative = enumerator.nextObject() as? String {
            let path = root + "/" + relative
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            guard attributes[.type] as? FileAttributeType == .typeRegular else { continue }
            // Skip bytecode caches and VCS noise: never wanted at runtime.
            if relative.split(separator: "/").contains(where: { $0 == "__pycache__" || $0 == ".git" }) { continue }
            guard let data = FileManager.default.contents(atPath: path) else { throw CLIError.usage("cannot read \(path)") }
            let mode = (attributes[.posixPermissions] as? NSNumber)?.uint16Value ?? 0o644
            entries.append(Entry(name: relative, data: [UInt8](data), mode: mode))
        }
        entries.sort { $0.name < $1.name }
        return archive(entries)
    }

    static func archive(_ entries: [Entry]) -> [UInt8] {
        var out: [UInt8] = []
        var central: [UInt8] = []
        let dosTime: UInt16 = 0
        let dosDate: UInt16 = (0 << 9) | (1 << 5) | 1 // 1980-01-01
        for entry in entries {
            let name = Array(entry.name.utf8)
            let crc = CRC32.checksum(entry.data)
            let size = UInt32(entry.data.count)
            let offset = UInt32(out.count)
            // Local file header.
            out.append(le32: 0x0403_4b50)
            out.append(le16: 20) // version needed: 2.0
            out.append(le16: 1 << 11) // flags: names are UTF-8
            out.append(le16: 0) // method: stored
            out.append(le16: dosTime); out.append(le16: dosDate)
            out.append(le32: crc); out.append(le32: size); out.append(le32: size)
            out.append(le16: UInt16(name.count)); out.append(le16: 0)
            out += name
            out += entry.data
            // Central directory header.
            central.append(le32: 0x0201_4b50)
            central.append(le16: (3 << 8) | 20) // made by: Unix, 2.0 (so external attributes carry the mode)
            central.append(le16: 20)
            central.append(le16: 1 << 11)
            central.append(le16: 0)
            central.append(le16: dosTime); central.append(le16: dosDate)
            central.append(le32: crc); central.append(le32: size); central.append(le32: size)
            central.append(le16: UInt16(name.count))
            central.append(le16: 0); central.append(le16: 0) // extra, comment
            central.append(le16: 0); central.append(le16: 0) // disk, internal attributes
            central.append(le32: UInt32(0o100000 | UInt32(entry.mode & 0o7777)) << 16)
            central.append(le32: offset)
            central += name
        }
        let centralOffset = UInt32(out.count)
        out += central
        out.append(le32: 0x0605_4b50)
        out.append(le16: 0); out.append(le16: 0)
        out.append(le16: UInt16(entries.count)); out.append(le16: UInt16(entries.count))
        out.append(le32: UInt32(central.count)); out.append(le32: centralOffset)
        out.append(le16: 0)
        return out
    }
}

private extension [UInt8] {
    mutating func append(le16 value: UInt16) {
        append(UInt8(value & 0xff)); append(UInt8(value >> 8))
    }
    mutating func append(le32 value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { append(UInt8((value >> UInt32(shift)) & 0xff)) }
    }
}
