// How many epoll instances of this process watch an fd number, from the kernel's own account:
// each epoll fd's /proc/self/fdinfo lists its registrations as "tfd: N events: ... data: ...".
// Tests use it to see that close leaves no registration behind.

/// The number of this process's epoll registrations under fd number `fd`.
///
/// ```swift
/// #expect(epollRegistrations(of: fd) == 0)
/// ```
public func epollRegistrations(of fd: Int32) -> Int {
    openFileDescriptors()
        .filter { fdTarget($0) == "anon_inode:[eventpoll]" }
        .reduce(0) { count, epfd in
            count + fdInfo(epfd).split(separator: "\n").filter { line in
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                return fields.count >= 2 && fields[0] == "tfd:" && fields[1] == "\(fd)"
            }.count
        }
}

/// /proc/self/fdinfo/N as text; empty if the fd closed meanwhile.
private func fdInfo(_ fd: Int32) -> String {
    String(decoding: (try? readFile("/proc/self/fdinfo/\(fd)")) ?? [], as: UTF8.self)
}
