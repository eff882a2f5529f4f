// SwiftNet as the client side of the benchmark: N connections, each in a task on the poller that
// owns its fd, each sending a message and reading the whole echo back, again and again.
//
//   swiftnet-client --mode pingpong --network tcp|unix --address ADDR --conns N --size 64 \
//                   --duration S --warmup W
//
// Prints one JSON line: {"mode":"pingpong","network":"tcp","conns":64,"size":64,"ops":N,
// "seconds":S,"ops_per_sec":X,"p50_us":..,"p99_us":..,"loadgen_cpu_percent":C}, C being the
// client's own CPU time over the run (warm-up included) as a percentage of one CPU. A round trip
// counts when it starts after the warm-up and before the end; its latency is from the write to
// the last byte read.
import ArgumentParser
import BenchSupport
import Glibc
import Net

enum ClientMode: String, ExpressibleByArgument, CaseIterable {
    case pingpong
}

struct ClientOptions: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: programName, abstract: "SwiftNet as a benchmark client: ping-pong, one JSON line out.")
    }

    @Option(help: "pingpong") var mode: ClientMode = .pingpong
    @Option(help: "tcp or unix") var network: BenchNetwork
    @Option(help: "host:port, or a socket path") var address: String
    @Option(help: "Concurrent connections") var conns: Int = 1
    @Option(help: "Message size in bytes") var size: Int = 64
    @Option(help: "Seconds measured, after the warm-up") var duration: Double = 5
    @Option(help: "Seconds of warm-up, not measured") var warmup: Double = 1

    func validate() throws {
        guard conns > 0 else { throw ValidationError("--conns must be at least 1") }
        guard size > 0 else { throw ValidationError("--size must be at least 1") }
        guard duration > 0, warmup >= 0 else { throw ValidationError("--duration must be positive, --warmup not negative") }
    }
}

let options = ClientOptions.parseOrExit()
raiseOpenFileLimit()
await run(options)

/// What one connection measured: round trips and their latencies in nanoseconds.
struct ConnResult: Sendable {
    var ops = 0
    var latencies: [UInt32] = []
}

func run(_ o: ClientOptions) async {
    var conns: [SocketConn] = []
    for _ in 0..<o.conns {
        do {
            conns.append(try await Net.dial(o.network.rawValue, o.address) as! SocketConn)
        } catch {
            fail("\(error)")
        }
    }
    let clock = ContinuousClock()
    let started = clock.now, cpuStarted = cpuSeconds()
    let measureFrom = started + .seconds(o.warmup)
    let end = measureFrom + .seconds(o.duration)
    let size = o.size

    let results = await withTaskGroup(of: Result<ConnResult, OpError>.self) { group in
        for conn in conns {
            group.addTask(executorPreference: conn.executor) {
                do throws(OpError) {
                    return .success(try await pingpong(conn, size: size, measureFrom: measureFrom, end: end))
                } catch {
                    return .failure(error)
                }
            }
        }
        var all: [ConnResult] = []
        for await r in group {
            switch r {
            case .success(let c): all.append(c)
            case .failure(let e): fail("\(e)")
            }
        }
        return all
    }
    let wall = started.duration(to: clock.now)
    let cpuPercent = (cpuSeconds() - cpuStarted) / (Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18) * 100
    for conn in conns { try? conn.close() }

    let ops = results.reduce(0) { $0 + $1.ops }
    var latencies = results.flatMap(\.latencies)
    latencies.sort()
    func percentile(_ p: Double) -> Double {
        guard !latencies.isEmpty else { return 0 }
        let i = min(latencies.count - 1, Int((Double(latencies.count) * p).rounded(.up)) - 1)
        return Double(latencies[max(i, 0)]) / 1000
    }
    let fields = [
        "\"mode\":\"\(o.mode.rawValue)\"", "\"network\":\"\(o.network.rawValue)\"",
        "\"conns\":\(o.conns)", "\"size\":\(o.size)", "\"ops\":\(ops)",
        "\"seconds\":\(fixed(o.duration, 3))", "\"ops_per_sec\":\(fixed(Double(ops) / o.duration, 1))",
        "\"p50_us\":\(fixed(percentile(0.50), 1))", "\"p99_us\":\(fixed(percentile(0.99), 1))",
        "\"loadgen_cpu_percent\":\(fixed(cpuPercent, 1))",
    ]
    announce("{" + fields.joined(separator: ",") + "}")
}

/// Round trips on one connection until `end`: write `size` bytes, read `size` bytes back.
/// Buffers are allocated once; nothing allocates per round trip but a latency's array growth.
func pingpong(_ conn: SocketConn, size: Int, measureFrom: ContinuousClock.Instant,
              end: ContinuousClock.Instant) async throws(OpError) -> ConnResult {
    let out = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
    let reply = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
    defer {
        out.deallocate()
        reply.deallocate()
    }
    for i in 0..<size { out[i] = UInt8(truncatingIfNeeded: i) }
    var result = ConnResult()
    result.latencies.reserveCapacity(1 << 16)
    let clock = ContinuousClock()
    while true {
        let start = clock.now
        if start >= end { break }
        try await conn.write(UnsafeRawBufferPointer(out))
        var got = 0
        while got < size {
            let n = try await conn.read(into: UnsafeMutableRawBufferPointer(rebasing: reply[got...]))
            if n == 0 {
                throw OpError(op: "read", net: conn.remoteAddr?.network ?? "", source: conn.localAddr,
                              addr: conn.remoteAddr, underlying: EndOfStream())
            }
            got += n
        }
        if start >= measureFrom {
            result.ops += 1
            let (seconds, attoseconds) = start.duration(to: clock.now).components
            let ns = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
            result.latencies.append(UInt32(clamping: ns))
        }
    }
    return result
}

struct EndOfStream: Error, CustomStringConvertible {
    var description: String { "the server closed the connection mid-echo" }
}

/// User plus system CPU time of the whole process so far (every poller thread), in seconds.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// `value` with `digits` decimals, for JSON (no Foundation).
func fixed(_ value: Double, _ digits: Int) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = Int64((value * scale).rounded())
    let whole = scaled / Int64(scale), fraction = scaled % Int64(scale)
    if digits == 0 { return "\(whole)" }
    let f = String(fraction)
    return "\(whole)." + String(repeating: "0", count: digits - f.count) + f
}
