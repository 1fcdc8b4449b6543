extension Array where Element == UInt8 {
    /// Where `needle` first occurs in these bytes at or after `start` (a plain scan: the needles are short); nil
    /// for an empty needle.
    public func firstIndex(ofSubsequence needle: [UInt8], from start: Int = 0) -> Int? {
        guard let first = needle.first, count >= needle.count else { return nil }
        var index = start
        while index <= count - needle.count {
            if self[index] == first, self[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }

    /// Whether `needle` occurs in these bytes.
    public func contains(subsequence needle: [UInt8]) -> Bool {
        needle.isEmpty || firstIndex(ofSubsequence: needle) != nil
    }
}
