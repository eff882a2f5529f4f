// Net.lookupHost, lookupIP and lookupIPAddr (Go's LookupHost, LookupIP and lookupIPAddr,
// src/net/lookup.go), and the dedicated thread the lookups run on.
//
// getaddrinfo(3) may open a socket (to the name server, or for if_indextoname) inside libc, so
// every suite here that looks a name up is leak-checked. DNS answers for `.invalid` (RFC 6761)
// are NXDOMAIN at once where a name server answers; where none can be reached, glibc gives up
// after its resolv.conf timeouts (5 s × 2 attempts by default) with EAI_AGAIN, also a DNSError.
// The test bounds the wait at 30 s and fails if it is exceeded.
import Glibc
@testable import Net
import Synchronization
import Testing
import TestSupport

@Suite(.fdLeakCheck) struct LookupTests {
    // MARK: literals: returned without a lookup

    @Test(arguments: ["127.0.0.1", "::1", "2001:db8::1", "::0001", "fe80::1%eth0", "fe80::1%no-such-interface", "::1%1"])
    func lookupHostReturnsLiteralsUnchanged(host: String) async throws {
        // getaddrinfo would fail for an interface that does not exist: this is no lookup.
        #expect(try await Net.lookupHost(host) == [host])
    }

    @Test func lookupIPReturnsLiteralsParsed() async throws {
        let v4 = try await Net.lookupIP("192.0.2.1")
        #expect(v4 == [IP.v4(192, 0, 2, 1)])
        #expect(v4.first?.bytes.count == 16)  // as parsed: IPv4-mapped, like Go's
        #expect(try await Net.lookupIP("::0001") == [IP.ipv6loopback])
        #expect(try await Net.lookupIP("fe80::1%no-such-interface") == [Net.parseIP("fe80::1")!])
    }

    @Test func lookupIPAddrKeepsTheZone() async throws {
        let addrs = try await lookupIPAddr("tcp", "fe80::1%no-such-interface")
        #expect(addrs == [IPAddr(ip: Net.parseIP("fe80::1"), zone: "no-such-interface")])
        #expect(try await lookupIPAddr("ip", "10.1.2.3") == [IPAddr(ip: IP.v4(10, 1, 2, 3))])
    }

    @Test func literalsNeedNoThreadEvenWhenCancelled() async throws {
        // Go checks for a literal before it looks at the context; so does this.
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await Net.lookupHost("::1")
        }
        #expect(try await task.value == ["::1"])
    }

    // MARK: empty host

    @Test func emptyHost() async throws {
        let want = DNSError(err: "no such host", name: "", isNotFound: true)
        await #expect(throws: want) { try await Net.lookupHost("") }
        await #expect(throws: want) { try await Net.lookupIP("") }
        await #expect(throws: want) { try await lookupIPAddr("tcp", "") }
        #expect(want.description == "lookup : no such host")
    }

    // MARK: names

    @Test(.enabled(if: hostsFileNamesLocalhost(), "needs /etc/hosts with 127.0.0.1 localhost"))
    func localhost() async throws {
        let hosts = try await Net.lookupHost("localhost")
        #expect(hosts.contains("127.0.0.1"))
        #expect(Set(hosts).count == hosts.count, "duplicates in \(hosts)")

        let ips = try await Net.lookupIP("localhost")
        #expect(ips.contains(IP.v4(127, 0, 0, 1)))
        // From getaddrinfo an IPv4 address is 4 bytes, as Go's resolvers give from DNS.
        #expect(ips.first { $0.to4() != nil }?.bytes.count == 4)

        let addrs = try await lookupIPAddr("tcp4", "localhost")
        #expect(addrs.contains(IPAddr(ip: IP([127, 0, 0, 1]))))
        #expect(addrs.allSatisfy { $0.zone.isEmpty })
    }

    @Test func unknownNameIsADNSError() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let outcome = await withTaskGroup(of: Result<[String], any Error>?.self) { group in
            group.addTask {
                do { return .success(try await Net.lookupHost("nonexistent.invalid")) } catch { return .failure(error) }
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(30))
                return nil
            }
            let first = await group.next()!
            group.cancelAll()
            return first
        }
        guard let outcome else {
            Issue.record("getaddrinfo(\"nonexistent.invalid\") did not answer within 30 s")
            return
        }
        switch outcome {
        case .success(let addrs):
            Issue.record("nonexistent.invalid resolved to \(addrs)")
        case .failure(let error):
            let dns = try #require(error as? DNSError, "\(type(of: error)): \(error)")
            #expect(dns.description.hasPrefix("lookup nonexistent.invalid: "))
            #expect(dns.name == "nonexistent.invalid")
            // With a name server: NXDOMAIN, Go's "no such host". Without: EAI_AGAIN, temporary.
            #expect(dns.isNotFound || dns.isTemporary, "\(dns)")
            if dns.isNotFound { #expect(dns.description == "lookup nonexistent.invalid: no such host") }
        }
        #expect(clock.now - start < .seconds(30))
    }

    @Test func nameWithNULIsNotLookedUp() async throws {
        await #expect(throws: DNSError(err: "no such host", name: "localhost\0x", isNotFound: true)) {
            try await Net.lookupHost("localhost\0x")
        }
    }

    // MARK: cancellation

    @Test func cancelledBeforeTheLookup() async throws {
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await Net.lookupHost("localhost")
        }
        await #expect(throws: CancellationError.self) { try await task.value }
    }

    @Test func cancellationReturnsPromptlyWhileTheThreadRuns() async throws {
        let finished = Flag()
        let task = Task {
            try await runOnDedicatedThread { () -> Int in
                usleep(1_500_000)  // a getaddrinfo waiting for a name server
                finished.set()
                return 1
            }
        }
        try await Task.sleep(for: .milliseconds(50))
        let clock = ContinuousClock()
        let start = clock.now
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(clock.now - start < .milliseconds(500))
        #expect(!finished.isSet)
        // The thread finishes on its own and its result is dropped (a second resume would trap).
        var waited = 0
        while !finished.isSet && waited < 5000 {
            try await Task.sleep(for: .milliseconds(10))
            waited += 10
        }
        #expect(finished.isSet)
    }

    @Test func dedicatedThreadReturnsTheResult() async throws {
        #expect(try await runOnDedicatedThread { 6 * 7 } == 42)
        let results = try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 0..<8 { group.addTask { try await runOnDedicatedThread { i } } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.sorted() == Array(0..<8))
    }

    /// More blocking calls than the cooperative pool has threads all run at once: none of them
    /// holds a pool thread. On the pool (2 threads here) only two would start, and the task that
    /// releases them would never run.
    @Test func blockingCallsDoNotHoldPoolThreads() async throws {
        let n = 6
        let started = Counter()
        let released = Flag()
        let calls = Task {
            try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<n {
                    group.addTask {
                        try await runOnDedicatedThread { () -> Bool in
                            started.increment()
                            var waited = 0
                            while !released.isSet && waited < 5000 {
                                usleep(1000)
                                waited += 1
                            }
                            return released.isSet
                        }
                    }
                }
                return try await group.allSatisfy { $0 }
            }
        }
        var polls = 0
        while started.value < n && polls < 1000 {
            try await Task.sleep(for: .milliseconds(2))
            polls += 1
        }
        #expect(started.value == n)
        released.set()
        #expect(try await calls.value)
    }
}

@Suite struct AddrinfoErrorTests {
    /// What Go's cgo resolver makes of each getaddrinfo failure (src/net/cgo_unix.go).
    @Test func goTexts() {
        let noName = addrinfoError(EAI_NONAME, 0, "x.invalid")
        #expect(noName == DNSError(err: "no such host", name: "x.invalid", isNotFound: true))
        #expect(noName.description == "lookup x.invalid: no such host")
        #expect(addrinfoError(-5 /* EAI_NODATA */, 0, "h") == DNSError(err: "no such host", name: "h", isNotFound: true))

        let again = addrinfoError(EAI_AGAIN, 0, "h")
        #expect(again.description == "lookup h: Temporary failure in name resolution")
        #expect(again.temporary && !again.timeout && !again.isNotFound)

        let fail = addrinfoError(EAI_FAIL, 0, "h")
        #expect(fail.description == "lookup h: Non-recoverable failure in name resolution")
        #expect(!fail.temporary)

        // EAI_SYSTEM: the errno in Go's words; errno 0 is reported as EMFILE (golang.org/issue/6232).
        #expect(addrinfoError(EAI_SYSTEM, ECONNREFUSED, "h").description == "lookup h: connection refused")
        #expect(addrinfoError(EAI_SYSTEM, 0, "h").description == "lookup h: too many open files")
    }
}

/// A flag threads can share.
private final class Flag: Sendable {
    private let state = Atomic<Bool>(false)
    func set() { state.store(true, ordering: .sequentiallyConsistent) }
    var isSet: Bool { state.load(ordering: .sequentiallyConsistent) }
}

/// A counter threads can share.
private final class Counter: Sendable {
    private let state = Atomic<Int>(0)
    func increment() { state.add(1, ordering: .sequentiallyConsistent) }
    var value: Int { state.load(ordering: .sequentiallyConsistent) }
}

/// Whether /etc/hosts names 127.0.0.1 localhost (read without any Net code).
private func hostsFileNamesLocalhost() -> Bool {
    guard let file = fopen("/etc/hosts", "r") else { return false }
    defer { fclose(file) }
    var line = [CChar](repeating: 0, count: 1024)
    while fgets(&line, Int32(line.count), file) != nil {
        let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })
        if fields.first == "127.0.0.1" && fields.dropFirst().contains("localhost") { return true }
    }
    return false
}
