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
    private func acceptedPollers(_ network: String, count: Int) async throws -> (listener: Poller, accepted: [Poller]) {
        try await withListener(network) { ln, target, listenerPoller in
            var conns: [any Conn] = []
            defer { for c in conns { try? c.close() } }
            var pollers: [Poller] = []
            for _ in 0..<count {
                conns.append(try await NetTestHelpers.withTimeLimit(.seconds(10), "dial") { try await Net.dial(network, target) })
                let server = try await NetTestHelpers.withTimeLimit(.seconds(10), "accept") { try await ln.accept() }
                conns.append(server)
                pollers.append((server as! SocketConn).fd.pfd.poller)
            }
            return (listenerPoller, pollers)
        }
    }

    @Test(arguments: ["tcp", "unix"])
    func withoutSpareCPUConnectionsStayOnTheListenersPoller(_ network: String) async throws {
        SpareCPU.pretend(0)
        defer { SpareCPU.pretend(nil) }
        let (listener, accepted) = try await acceptedPollers(network, count: 4)
        #expect(accepted.allSatisfy { $0 === listener })
    }

    /// Over the limit, accepted connections go to another poller; once a run of them has closed
    /// at once, the limit tolerates more (RebalancePolicy) and the next one stays.
    @Test(.enabled(if: CPUs.allowed > 1, "one poller: nothing is given away"), arguments: ["tcp", "unix"])
    func shortConnectionsGivenAwayLetTheNextStay(_ network: String) async throws {
        SpareCPU.pretend(0)
        PollerGroup.resetRebalancing()
        defer {
            SpareCPU.pretend(nil)
            PollerGroup.resetRebalancing()
        }
        let pollers = try PollerGroup.all()
        try await withListener(network) { ln, target, local async throws in
            var ballast: [PollFD] = []
            defer { for fd in ballast { try? fd.close() } }

            /// Dials and accepts one connection with the listener's poller over the limit (by 2,
            /// so the dialled end's own registration cannot bring it back under), closes both
            /// ends, and says whether the accepted one stayed on the listener's poller.
            func acceptedStayed() async throws -> Bool {
                let others = pollers.filter { $0 !== local }.map(\.registrationCount).max() ?? 0
                while local.registrationCount < others + Placement.imbalanceLimit + 2 {
                    let (x, y) = try Syscall.socketpair(Syscall.AF_UNIX, Syscall.SOCK_STREAM | Syscall.SOCK_NONBLOCK | Syscall.SOCK_CLOEXEC, 0)
                    ballast += [try PollFD(x, poller: local), try PollFD(y, poller: local)]
                }
                let client = try await NetTestHelpers.withTimeLimit(.seconds(10), "dial") { try await Net.dial(network, target) }
                defer { try? client.close() }
                let server = try await NetTestHelpers.withTimeLimit(.seconds(10), "accept") { try await ln.accept() }
                defer { try? server.close() }
                return (server as! SocketConn).fd.pfd.poller === local
            }

            for i in 0..<RebalancePolicy.shortInARow {
                #expect(try await !acceptedStayed(), "connection \(i) of the run is given away")
            }
            #expect(try await acceptedStayed(), "after a run that closed at once, the next stays")
        }
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
