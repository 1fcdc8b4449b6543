import Glibc

/// A NULL-terminated `char *[]` for argv/envp, owning its strdup'd strings.
final class CStringArray {
    private(set) var pointers: [UnsafeMutablePointer<CChar>?]

    init(_ strings: [String]) {
        pointers = strings.map { strdup($0) } + [nil]
    }

    func withUnsafeBufferPointer<R>(_ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
        pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }

    deinit { for pointer in pointers { free(pointer) } }
}

@available(*, unavailable) extension CStringArray: Sendable {}
