// Array's withUnsafe(Mutable)Bytes rethrow `any Error`; these keep the thrown type `Errno`
// so every Syscall function can declare `throws(Errno)`.

extension Array where Element == UInt8 {
    func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws(Errno) -> R) throws(Errno) -> R {
        try withUnsafeBytes { buf in Result { () throws(Errno) in try body(buf) } }.get()
    }

    mutating func withMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws(Errno) -> R) throws(Errno) -> R {
        try withUnsafeMutableBytes { buf in Result { () throws(Errno) in try body(buf) } }.get()
    }
}
