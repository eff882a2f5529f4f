// Unix socket files handled with care (DESIGN.md invariant 6, UDS-SECURITY.md §6,
// RELIABILITY.md E1-E6): unlink on close once and only our own socket, never an abstract name
// or an adopted listener's file; opt-in reclaim of stale sockets only; exact file modes;
// sun_path limits; autobind.
import Glibc
@testable import Net
import Syscall
import Testing
import TestSupport

private typealias H = NetTestHelpers

@Suite(.fdLeakCheck) struct UnixFileUnlinkTests {
    @Test(arguments: ["unix", "unixpacket"])
    func closeUnlinksOnce(network: String) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("srv.sock")
        let ln = try await Net.listen(network, path) as! UnixListener
        #expect(try Syscall.lstat(path).isSocket)
        try ln.close()
        #expect(!H.exists(path))

        // A new file at the same name is not the listener's: the second close leaves it.
        try H.makeRegularFile(path, "newcomer\n")
        var failure: OpError?
        do { try ln.close() } catch { failure = error }
        #expect(failure?.description == "close \(network) \(path): use of closed network connection")
        #expect(failure?.isClosed == true)
        #expect(try H.readFile(path) == "newcomer\n")
    }

    /// Another server took the name after ours was unlinked: closing ours leaves theirs.
    @Test func replacedSocketIsNotRemoved() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("srv.sock")
        let old = try await Net.listen("unix", path)
        defer { try? old.close() }
        try Syscall.unlink(path)
        let new = try await Net.listen("unix", path)
        defer { try? new.close() }
        let inode = try Syscall.lstat(path).ino

        try old.close()
        #expect(try Syscall.lstat(path).ino == inode)
        // The new server is still reachable by name.
        let c = try await withTimeLimit { try await Net.dial("unix", path) }
        defer { try? c.close() }
        let s = try await withTimeLimit { try await new.accept() }
        defer { try? s.close() }
        #expect(try await H.roundTrip(c, s) == Array("ping".utf8))

        try new.close()
        #expect(!H.exists(path))
    }

    @Test func replacedByRegularFileIsNotRemoved() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("srv.sock")
        let ln = try await Net.listen("unix", path)
        try Syscall.unlink(path)
        try H.makeRegularFile(path)
        try ln.close()
        #expect(try H.readFile(path) == "not a socket\n")
    }

    /// An abstract name has no file: nothing is unlinked, not even a file whose path is the
    /// name without its "@".
    @Test func abstractNameNeverUnlinks() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let decoy = dir.path("decoy")
        try H.makeRegularFile(decoy)
        let name = "@" + decoy
        let ln = try await Net.listen("unix", name)
        #expect(ln.addr.description == name)
        try ln.close()
        #expect(try H.readFile(decoy) == "not a socket\n")
    }

    @Test func setUnlinkOnClose() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let keep = dir.path("keep.sock"), drop = dir.path("drop.sock")
        let kept = try await Net.listen("unix", keep) as! UnixListener
        kept.setUnlinkOnClose(false)
        try kept.close()
        #expect(try Syscall.lstat(keep).isSocket)
        // What is left behind is a stale socket: refused, like a crashed server's.
        #expect(await H.dialFailure("unix", keep)?.description == "dial unix \(keep): connect: connection refused")

        let dropped = try await Net.listen("unix", drop) as! UnixListener
        dropped.setUnlinkOnClose(false)
        dropped.setUnlinkOnClose(true)
        try dropped.close()
        #expect(!H.exists(drop))
    }

    /// A listener adopted from an fd never removes the file: it belongs to whoever made it.
    @Test func adoptedListenerDoesNotUnlink() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("srv.sock")
        let original = try await Net.listen("unix", path) as! UnixListener
        defer { try? original.close() }
        let dup = try original.file()
        defer { try? Syscall.close(dup) }
        let adopted = try Net.fileListener(dup)
        #expect(adopted is UnixListener)
        #expect(adopted.addr.description == path)
        try adopted.close()
        #expect(try Syscall.lstat(path).isSocket)
        // The original still listens, then removes its file.
        let c = try await withTimeLimit { try await Net.dial("unix", path) }
        defer { try? c.close() }
        let s = try await withTimeLimit { try await original.accept() }
        try s.close()
        try original.close()
        #expect(!H.exists(path))
    }
}

@Suite(.fdLeakCheck) struct UnixFileReclaimTests {
    @Test func regularFileIsNeverTouched() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("regular.txt")
        try H.makeRegularFile(path)
        for reclaim in [false, true] {
            let config = ListenConfig(reclaimStaleUnixSocket: reclaim)
            #expect(await H.listenFailure("unix", path, with: config)?.description
                    == "listen unix \(path): bind: address already in use")
            #expect(try H.readFile(path) == "not a socket\n")
        }
    }

    @Test func staleSocketNeedsOptIn() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("stale.sock")
        try H.makeStaleSocket(path)
        // Go never unlinks before bind, and neither does the default config.
        #expect(await H.listenFailure("unix", path)?.description == "listen unix \(path): bind: address already in use")
        #expect(try Syscall.lstat(path).isSocket)

        let ln = try await ListenConfig(reclaimStaleUnixSocket: true).listen("unix", path)
        defer { try? ln.close() }
        let c = try await withTimeLimit { try await Net.dial("unix", path) }
        defer { try? c.close() }
        let s = try await withTimeLimit { try await ln.accept() }
        defer { try? s.close() }
        #expect(try await H.roundTrip(c, s) == Array("ping".utf8))
        try ln.close()
        #expect(!H.exists(path))
    }

    @Test func staleUnixpacketSocket() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("stale.sock")
        try H.makeStaleSocket(path, type: Syscall.SOCK_SEQPACKET)
        let ln = try await ListenConfig(reclaimStaleUnixSocket: true).listen("unixpacket", path)
        try ln.close()
    }

    /// A live server's socket is never removed, even with reclaim on: the second listen fails
    /// and the first still accepts on the same file.
    @Test func liveListenerIsNeverReclaimed() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("live.sock")
        let live = try await Net.listen("unix", path)
        defer { try? live.close() }
        let inode = try Syscall.lstat(path).ino

        let error = await H.listenFailure("unix", path, with: ListenConfig(reclaimStaleUnixSocket: true))
        #expect(error?.description == "listen unix \(path): bind: address already in use")
        #expect(try Syscall.lstat(path).ino == inode)

        // The liveness probe connected once and hung up: the live server accepts that first
        // (it reads end of stream at once), then real clients as before.
        let probe = try await withTimeLimit { try await live.accept() }
        defer { try? probe.close() }
        #expect(try await withTimeLimit { try await probe.read(upTo: 1) } == [])
        let c = try await withTimeLimit { try await Net.dial("unix", path) }
        defer { try? c.close() }
        let s = try await withTimeLimit { try await live.accept() }
        defer { try? s.close() }
        #expect(try await H.roundTrip(c, s) == Array("ping".utf8))
    }

    /// A live datagram server at the path answers a stream probe with EPROTOTYPE, not
    /// ECONNREFUSED: it is alive, and its socket stays.
    @Test func liveDatagramSocketIsNeverReclaimed() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("gram.sock")
        let gram = try await Net.listenPacket("unixgram", path)
        defer { try? gram.close() }
        let error = await H.listenFailure("unix", path, with: ListenConfig(reclaimStaleUnixSocket: true))
        #expect(error?.description == "listen unix \(path): bind: address already in use")
        let sender = try await Net.dial("unixgram", path)
        defer { try? sender.close() }
        try await sender.write([42])
        let n = try await withTimeLimit {
            var b = [UInt8](repeating: 0, count: 4)
            return try await gram.readFrom(&b).n
        }
        #expect(n == 1)
    }

    /// Only a socket is reclaimed, never a symbolic link (even one to a stale socket).
    @Test func symlinkToStaleSocketIsNeverReclaimed() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let target = dir.path("stale.sock"), link = dir.path("link.sock")
        try H.makeStaleSocket(target)
        #expect(symlink(target, link) == 0)
        let error = await H.listenFailure("unix", link, with: ListenConfig(reclaimStaleUnixSocket: true))
        #expect(error?.description == "listen unix \(link): bind: address already in use")
        #expect(try Syscall.lstat(link).mode & 0o170000 == 0o120000)   // still the link
        #expect(try Syscall.lstat(target).isSocket)
    }

    /// A live server whose backlog is full answers EAGAIN, not ECONNREFUSED: still alive.
    @Test func busyListenerIsNeverReclaimed() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("busy.sock")
        let s = try Syscall.socket(Syscall.AF_UNIX, Syscall.SOCK_STREAM | Syscall.SOCK_CLOEXEC, 0)
        defer { try? Syscall.close(s) }
        try Syscall.bind(s, SockaddrUnix(name: path))
        try Syscall.listen(s, 0)
        var queued: [any Conn] = []
        defer { for c in queued { try? c.close() } }
        var full = false
        for _ in 0..<16 {
            do {
                queued.append(try await Net.dial("unix", path))
            } catch {
                full = (error.underlying as? SyscallError)?.err == .EAGAIN
                break
            }
        }
        try #require(full, "the backlog never filled")
        let inode = try Syscall.lstat(path).ino
        let error = await H.listenFailure("unix", path, with: ListenConfig(reclaimStaleUnixSocket: true))
        #expect(error?.description == "listen unix \(path): bind: address already in use")
        #expect(try Syscall.lstat(path).ino == inode)
    }
}

@Suite(.fdLeakCheck) struct UnixFileModeTests {
    /// The mode is exact whatever the umask (this process's umask is usually 022, which alone
    /// would give 0644 for 0666).
    @Test(arguments: [UInt32(0o600), 0o660, 0o666, 0o700])
    func unixSocketMode(mode: UInt32) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("m.sock")
        let ln = try await ListenConfig(unixSocketMode: mode).listen("unix", path)
        defer { try? ln.close() }
        let st = try Syscall.lstat(path)
        #expect(st.isSocket)
        #expect(st.permissions == mode, "mode \(String(st.permissions, radix: 8))")
        // Still usable (root ignores the bits; others need write permission to connect).
        let c = try await withTimeLimit { try await Net.dial("unix", path) }
        try c.close()
    }

    @Test func modeWithReclaim() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("m.sock")
        try H.makeStaleSocket(path)
        let ln = try await ListenConfig(unixSocketMode: 0o600, reclaimStaleUnixSocket: true).listen("unix", path)
        defer { try? ln.close() }
        #expect(try Syscall.lstat(path).permissions == 0o600)
    }

    @Test func modeWithUserControlHook() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.path("m.sock")
        let log = ControlLog()
        let ln = try await ListenConfig(control: log.hook, unixSocketMode: 0o640).listen("unix", path)
        defer { try? ln.close() }
        #expect(log.pairs == ["(unix, \(path))"])
        #expect(try Syscall.lstat(path).permissions == 0o640)
    }

    @Test func modeOnAbstractNameIsHarmless() async throws {
        let name = H.uniqueAbstractName("mode")
        let ln = try await ListenConfig(unixSocketMode: 0o600).listen("unix", name)
        defer { try? ln.close() }
        #expect(ln.addr.description == name)
    }
}

@Suite(.fdLeakCheck) struct UnixFileNameTests {
    /// sun_path holds 107 bytes and a NUL: 107 works, 108 is an error, never truncated.
    @Test func pathLengthLimits() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let longest = H.pathOfLength(107, in: dir)
        let ln = try await Net.listen("unix", longest)
        defer { try? ln.close() }
        #expect(ln.addr.description == longest)
        let c = try await withTimeLimit { try await Net.dial("unix", longest) }
        defer { try? c.close() }
        #expect(c.remoteAddr?.description == longest)
        let s = try await withTimeLimit { try await ln.accept() }
        defer { try? s.close() }
        #expect(s.localAddr?.description == longest)
        try ln.close()
        #expect(!H.exists(longest))

        let tooLong = H.pathOfLength(108, in: dir)
        #expect(await H.listenFailure("unix", tooLong)?.description == "listen unix \(tooLong): bind: invalid argument")
        #expect(await H.dialFailure("unix", tooLong)?.description == "dial unix \(tooLong): connect: invalid argument")
        #expect(!H.exists(tooLong) && !H.exists(String(tooLong.dropLast())))
    }

    /// An abstract name uses all 108 bytes (the "@" stands for the leading NUL), and has its
    /// exact length: "@x" and "@x" padded with NULs are different names.
    @Test func abstractNameLengths() async throws {
        let base = H.uniqueAbstractName("len")
        let longest = base + String(repeating: "z", count: 108 - base.utf8.count)
        #expect(longest.utf8.count == 108)
        let ln = try await Net.listen("unix", longest)
        defer { try? ln.close() }
        #expect(ln.addr.description == longest)
        let c = try await withTimeLimit { try await Net.dial("unix", longest) }
        defer { try? c.close() }
        let s = try await withTimeLimit { try await ln.accept() }
        defer { try? s.close() }
        #expect(c.remoteAddr?.description == longest)

        let tooLong = longest + "z"
        #expect(await H.listenFailure("unix", tooLong)?.description == "listen unix \(tooLong): bind: invalid argument")
        // A prefix of a bound name is another name: nobody listens there.
        let prefix = String(longest.dropLast())
        #expect(await H.dialFailure("unix", prefix)?.description == "dial unix \(prefix): connect: connection refused")
    }

    /// listen("unix", "") asks Linux to autobind: an abstract "@" plus five hex digits.
    @Test(arguments: ["unix", "unixpacket"])
    func autobind(network: String) async throws {
        let ln = try await Net.listen(network, "")
        defer { try? ln.close() }
        let name = ln.addr.description
        #expect(name.hasPrefix("@"))
        #expect(name.utf8.count == 6, "\(name)")
        #expect(name.dropFirst().allSatisfy { $0.isHexDigit }, "\(name)")
        #expect(ln.addr.network == network)
        let c = try await withTimeLimit { try await Net.dial(network, name) }
        defer { try? c.close() }
        let s = try await withTimeLimit { try await ln.accept() }
        defer { try? s.close() }
        #expect(try await H.roundTrip(c, s) == Array("ping".utf8))
    }

    @Test func autobindUnixgram() async throws {
        let pc = try await Net.listenPacket("unixgram", "")
        defer { try? pc.close() }
        let name = try #require(pc.localAddr?.description)
        #expect(name.hasPrefix("@") && name.utf8.count == 6, "\(name)")
    }
}
