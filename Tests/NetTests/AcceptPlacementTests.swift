// Which poller an accepted connection joins, seen through Net: the listener's own while no CPU
// is spare, every poller in turn while one is (Placement has the policy's table).
@testable import Net
@testable import NetPoll
import Syscall
import TestSupport
import Testing

@Suite(.fdLeakCheck)
struct AcceptPlacementTests {
    /// Runs `body` with a listener on `network` (a fresh unix path, or a loopback tcp port), the
    /// address to dial it at and the poller that owns its fd; closes the listener after.
    private func withListener<R>(_ network: String, _ body: (_ ln: any Listener, _ target: String, _ poller: Poller) async throws -> R) async throws -> R {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let address = network == "unix" ? dir.path("p.sock") : "127.0.0.1:0"
        let ln = try await Net.listen(network, address)
        defer { try? ln.close() }
        let target = network == "unix" ? address : "127.0.0.1:\((ln.addr as! TCPAddr).port)"
        let poller = (ln as? TCPListener)?.fd.pfd.poller ?? (ln as! UnixListener).fd.pfd.poller
        return try await body(ln, target, poller)
    }

    /// Dials and accepts `count` connections, returning each accepted one's poller; closes all.
    /// (Balancer is paused meanwhile: a move would change the answer.)
    private func acceptedPollers(_ network: String, count: Int) async throws -> (listener: Poller, accepted: [Poller]) {
        try await Balancer.paused { try await withListener(network) { ln, target, listenerPoller in
            var conns: [any Conn] = []
            defer { for c in conns { try? c.close() } }
            var pollers: [Poller] = []
            for _ in 0..<count {
                conns.append(try await withTimeLimit(.seconds(10), "dial") { try await Net.dial(network, target) })
                let server = try await withTimeLimit(.seconds(10), "accept") { try await ln.accept() }
                conns.append(server)
                pollers.append((server as! SocketConn).fd.pfd.poller)
            }
            return (listenerPoller, pollers)
        } }
    }

    @Test(arguments: ["tcp", "unix"])
    func withoutSpareCPUConnectionsStayOnTheListenersPoller(_ network: String) async throws {
        SpareCPU.pretend(0)
        defer { SpareCPU.pretend(nil) }
        let (listener, accepted) = try await acceptedPollers(network, count: 4)
        #expect(accepted.allSatisfy { $0 === listener })
    }

    @Test(arguments: ["tcp", "unix"])
    func withSpareCPUConnectionsGoToEveryPoller(_ network: String) async throws {
        let pollers = try PollerGroup.all()
        SpareCPU.pretend(Double(pollers.count))
        defer { SpareCPU.pretend(nil) }
        let (_, accepted) = try await acceptedPollers(network, count: pollers.count * 2)
        #expect(Set(accepted.map(ObjectIdentifier.init)).count == pollers.count)
    }
}
