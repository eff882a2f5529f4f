// Finding the programs interop tests talk to: the example executables SwiftPM builds next to the
// test runner, tools on PATH (go, nc, socat), and Go peers built from source once per process.
//
// A missing peer is a reason to skip, not to fail:
//
//     @Test(.enabled(if: Peers.hasGo, "go is not installed (apt-get install golang-go)"))
import Glibc
import Synchronization
import Syscall

public enum Peers {
    /// The absolute path of an executable called `name` on PATH, like `command -v`.
    public static func which(_ name: String) -> String? {
        let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/local/bin:/usr/bin:/bin"
        for dir in path.split(separator: ":") where !dir.isEmpty {
            let candidate = "\(dir)/\(name)"
            if isExecutableFile(candidate) { return candidate }
        }
        return nil
    }

    /// Whether the Go toolchain is installed.
    public static var hasGo: Bool { which("go") != nil }
    /// Whether netcat is installed (the tests use netcat-openbsd's `-N`).
    public static var hasNc: Bool { which("nc") != nil }
    /// Whether socat is installed.
    public static var hasSocat: Bool { which("socat") != nil }

    /// Whether this machine can bind a TCP socket to the IPv6 loopback address `::1`.
    public static var hasIPv6Loopback: Bool {
        guard let fd = try? Syscall.socket(Syscall.AF_INET6, Syscall.SOCK_STREAM | Syscall.SOCK_CLOEXEC, 0) else {
            return false
        }
        defer { try? Syscall.close(fd) }
        let loopback = SockaddrInet6(port: 0, addr: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])
        return (try? Syscall.bind(fd, loopback)) != nil
    }

    /// The path of the example executable `name` (an `Examples/NAME` target), or nil if it has
    /// not been built.
    ///
    /// SwiftPM puts every product of a build in one directory (`.build/<triple>/debug`), and the
    /// test runner is one of them: a plain executable `X.xctest` on Linux, a bundle
    /// `X.xctest/Contents/MacOS/X` elsewhere. So look next to /proc/self/exe, and next to the
    /// bundle that contains it.
    public static func example(_ name: String) -> String? {
        guard let exe = readLink("/proc/self/exe") else { return nil }
        var directories = [dirname(exe)]
        if let bundle = exe.firstRange(of: ".xctest/") {
            directories.append(dirname(String(exe[..<bundle.lowerBound])))
        }
        for dir in directories {
            let candidate = "\(dir)/\(name)"
            if isExecutableFile(candidate) { return candidate }
        }
        return nil
    }

    /// Whether the example executable `name` has been built.
    public static func hasExample(_ name: String) -> Bool { example(name) != nil }

    /// Builds the Go peer `name` from `directory/name/main.go` (once per test process) and
    /// returns the path of the executable.
    ///
    /// Peers use only the standard library, so each is built as a single file in GOPATH mode
    /// with cgo off: no module, no network, no C compiler.
    public static func goPeer(_ name: String, in directory: String) async throws -> String {
        try await GoPeerBuilder.shared.build(name, source: "\(directory)/\(name)/main.go")
    }
}

/// Builds each Go peer once, into one temporary directory that is removed when the process exits.
private actor GoPeerBuilder {
    static let shared = GoPeerBuilder()

    private var builds: [String: Task<String, any Error>] = [:]

    func build(_ name: String, source: String) async throws -> String {
        if let build = builds[source] { return try await build.value }
        let build = Task { try await Self.compile(name, source: source) }
        builds[source] = build
        return try await build.value
    }

    private static func compile(_ name: String, source: String) async throws -> String {
        guard let go = Peers.which("go") else { throw SubprocessError("go is not installed") }
        let output = "\(try outputDirectory())/\(name)"
        var environment = ["GO111MODULE": "off", "CGO_ENABLED": "0", "GOFLAGS": "", "GOTOOLCHAIN": "local"]
        // Go caches builds under $HOME; with no writable home, use /tmp instead.
        let home = getenv("HOME").map { String(cString: $0) }
        if getenv("GOCACHE") == nil, home.map({ access($0, W_OK) != 0 }) ?? true {
            environment["GOCACHE"] = "/tmp/swiftnet-gocache-\(getuid())"
            environment["GOPATH"] = "/tmp/swiftnet-gopath-\(getuid())"
        }
        let result = try await Subprocess.run(
            go, ["build", "-o", output, source], environment: environment, timeout: .seconds(300))
        guard result.status == .exited(0) else {
            throw SubprocessError("go build \(source) failed: \(result)")
        }
        return output
    }

    private static func outputDirectory() throws -> String {
        try peerDirectory.withLock { dir in
            if let dir { return dir }
            var template = Array("/tmp/sn-gopeers.XXXXXX".utf8CString)
            guard let made = mkdtemp(&template) else {
                throw SubprocessError("mkdtemp: \(Errno(rawValue: errno))")
            }
            dir = String(cString: made)
            atexit { removePeerDirectory() }
            return dir!
        }
    }
}

/// Where this process's Go peers are built.
private let peerDirectory = Mutex<String?>(nil)

/// Removes the peer directory and the executables in it (at process exit).
private func removePeerDirectory() {
    guard let dir = peerDirectory.withLock({ $0 }), let stream = opendir(dir) else { return }
    while let entry = readdir(stream) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        if name != "." && name != ".." { Glibc.unlink("\(dir)/\(name)") }
    }
    closedir(stream)
    rmdir(dir)
}

/// Whether `path` is (or links to) a regular file this process may execute.
private func isExecutableFile(_ path: String) -> Bool {
    var status = stat()
    guard stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return false }
    return access(path, X_OK) == 0
}

private func readLink(_ path: String) -> String? {
    var buffer = [CChar](repeating: 0, count: 4096)
    let n = readlink(path, &buffer, buffer.count - 1)
    guard n > 0 else { return nil }
    return String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

private func dirname(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return slash == path.startIndex ? "/" : String(path[..<slash])
}
