// Adopting sockets from descriptors: Go's FileConn, FileListener and FilePacketConn
// (file_unix.go). The caller's fd is duplicated; the original stays the caller's to close.
import Syscall

/// The name of an adopted file in errors: Go's fileAddr, network "file+net".
struct FileAddr: Addr {
    let name: String
    var network: String { "file+net" }
    var description: String { name }
}

/// Go's newFileFD: duplicate (close-on-exec), make non-blocking, learn the socket's type and
/// family from the kernel, and register it.
private func adopt(_ fd: Int32) throws -> NetFD {
    let s: Int32
    do { s = try Syscall.dupCloseOnExec(fd) } catch { throw SyscallError("dupcloseonexec", error) }
    do {
        // O_NONBLOCK belongs to the open file description, so the caller's fd becomes
        // non-blocking too, as in Go.
        do { try Syscall.setNonblock(s, true) } catch { throw SyscallError("setnonblock", error) }
        let sotype: Int32
        do { sotype = Int32(try Syscall.getsockoptInt(s, Syscall.SOL_SOCKET, Syscall.SO_TYPE)) } catch {
            throw SyscallError("getsockopt", error)
        }
        let lsa = try? Syscall.getsockname(s)
        let family: Int32
        switch lsa {
        case is SockaddrInet4: family = Syscall.AF_INET
        case is SockaddrInet6: family = Syscall.AF_INET6
        case is SockaddrUnix: family = Syscall.AF_UNIX
        default: throw Errno.EPROTONOSUPPORT
        }
        let laddr = netAddr(lsa, sotype: sotype)
        let raddr = netAddr(try? Syscall.getpeername(s), sotype: sotype)
        let proto = (try? Syscall.getsockoptInt(s, Syscall.SOL_SOCKET, Syscall.SO_PROTOCOL)).map(Int32.init) ?? -1
        let pfd = try registered(s, stream: streamKind(family: family, sotype: sotype, proto: proto))
        pfd.markShared()   // the caller's fd keeps the open file after ours is closed
        let netFD = NetFD(pfd, family: family, sotype: sotype, net: laddr?.network ?? "")
        netFD.setAddr(local: laddr, remote: raddr)
        return netFD
    } catch {
        try? Syscall.close(s)
        throw error
    }
}

private func fileError(_ fd: Int32, _ name: String?, _ error: any Error) -> OpError {
    OpError(op: "file", net: "file+net", addr: FileAddr(name: name ?? String(fd)), underlying: error)
}

/// A connection on a duplicate of an open socket fd: Go's `net.FileConn`.
///
/// The type follows the socket: ``TCPConn``, ``UDPConn``, ``IPConn`` or ``UnixConn``. `fd` is
/// left open (close it when you no longer need it); it shares the open file description, so it
/// is now non-blocking too. `name` appears in errors (Go prints the file's name).
///
/// ```swift
/// // In a process started with a connection on fd 3 (systemd socket activation, a restart):
/// let conn = try Net.fileConn(3)
/// try Syscall.close(3)
/// ```
public func fileConn(_ fd: Int32, name: String? = nil) throws(OpError) -> any Conn {
    do {
        let netFD = try adopt(fd)
        guard let conn = connection(for: netFD) else {
            try? netFD.close()
            throw Errno.EINVAL
        }
        return conn
    } catch {
        throw fileError(fd, name, error)
    }
}

/// The conn type for an adopted socket, chosen by its address as Go's FileConn does.
private func connection(for netFD: NetFD) -> SocketConn? {
    switch netFD.laddr {
    // Go's FileConn sets only TCP_NODELAY (newTCPConn): keep-alive is left as the socket has
    // it, and a negative period makes TCPConn leave it alone.
    case is TCPAddr: return TCPConn(netFD, keepAlive: .seconds(-1))
    case is UDPAddr: return UDPConn(netFD)
    case is IPAddr: return IPConn(netFD)
    case is UnixAddr: return UnixConn(netFD)
    default: return nil
    }
}

/// A listener on a duplicate of a listening socket fd: Go's `net.FileListener`.
///
/// A ``UnixListener`` adopted this way never removes its socket file on close: the file belongs
/// to whoever created it (the old process of a restart, or systemd). As in Go, a socket that is
/// not listening is accepted here, and its first accept fails.
///
/// ```swift
/// let ln = try Net.fileListener(3)   // LISTEN_FDS starts at 3
/// ```
public func fileListener(_ fd: Int32, name: String? = nil) throws(OpError) -> any Listener {
    do {
        let netFD = try adopt(fd)
        switch netFD.laddr {
        case is TCPAddr: return TCPListener(netFD, keepAlive: nil)
        case let unix as UnixAddr: return UnixListener(netFD, path: unix.name, unlinkOnClose: false)
        default:
            try? netFD.close()
            throw Errno.EINVAL
        }
    } catch {
        throw fileError(fd, name, error)
    }
}

/// A packet connection on a duplicate of a datagram socket fd: Go's `net.FilePacketConn`.
///
/// ```swift
/// let pc = try Net.filePacketConn(3)
/// ```
public func filePacketConn(_ fd: Int32, name: String? = nil) throws(OpError) -> any PacketConn {
    do {
        let netFD = try adopt(fd)
        guard let conn = connection(for: netFD) as? any PacketConn else {
            try? netFD.close()
            throw Errno.EINVAL
        }
        return conn
    } catch {
        throw fileError(fd, name, error)
    }
}
