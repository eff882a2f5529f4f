// Short temporary directories for unix socket paths: sun_path holds only 107 bytes, so tests
// use /tmp/sn.XXXXXX rather than a long per-user temp path (Go's testUnixAddr does the same).
import Glibc

/// A fresh directory under /tmp, removed with everything in it by `remove()`.
///
/// ```swift
/// let dir = try TemporaryDirectory()
/// defer { dir.remove() }
/// let path = dir.path("echo.sock")
/// ```
public struct TemporaryDirectory: Sendable {
    /// The directory's absolute path.
    public let root: String

    public init() throws {
        var template = Array("/tmp/sn.XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw TemporaryDirectoryError(errno: errno)
        }
        root = String(cString: made)
    }

    /// A path inside the directory.
    public func path(_ name: String) -> String { root + "/" + name }

    /// Removes the directory and its contents (one level deep: tests make flat directories).
    public func remove() {
        if let dir = opendir(root) {
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                }
                if name != "." && name != ".." { unlink(path(name)) }
            }
            closedir(dir)
        }
        rmdir(root)
    }
}

public struct TemporaryDirectoryError: Error, CustomStringConvertible {
    public let errno: Int32
    public var description: String { "mkdtemp failed: errno \(errno)" }
}
