// SwiftNIO's idiomatic echo server, as NIO's own NIOEchoServer example writes it: a
// MultiThreadedEventLoopGroup with a loop per core, ServerBootstrap, and a handler that writes
// each ByteBuffer back and flushes when the read burst is over. One addition: it honours a
// client's half-close (see userInboundEventTriggered), as Go's and SwiftNet's servers do.
//
//   nio-echo --network tcp|unix --address ADDR [--mode echo] [--read-timeout SECONDS]
//
// With --read-timeout, NIO's own idle-timeout idiom: an IdleStateHandler before the echo
// handler, and a connection with no read for that long is closed.
//
// Prints "listening on ADDR" once ready; on SIGINT or SIGTERM removes a unix socket file and
// exits 0. There is no fdrecv mode: NIO has no idiomatic SCM_RIGHTS receive on a stream channel.
import BenchSupport
import Glibc
import NIOCore
import NIOPosix

blockTerminationSignals()   // before the event loop threads start: the sigwait thread takes them
let options = ServerOptions.parseOrExit()
if options.mode != .echo { fail("nio-echo has no --mode \(options.mode.rawValue)") }
raiseOpenFileLimit()

final class EchoHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.write(data, promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }

    /// The client closed its side (allowRemoteHalfClosure): close once what was echoed so far
    /// is written. Without this, NIO closes at once on end of input and drops the pending
    /// writes: a client that half-closes after sending loses the tail of its echo.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .read = event as? IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)   // --read-timeout passed with no read: Go's deadline
            return
        }
        guard case .inputClosed = event as? ChannelEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(channel.allocator.buffer(capacity: 0))).whenComplete { _ in
            channel.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
var bootstrap = ServerBootstrap(group: group)
    .serverChannelOption(.backlog, value: 4096)
    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
            if let readTimeout = options.readTimeoutNanoseconds {
                try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: .nanoseconds(readTimeout)))
            }
            try channel.pipeline.syncOperations.addHandler(EchoHandler())
        }
    }
    .childChannelOption(.allowRemoteHalfClosure, value: true)
if options.network == .tcp {
    bootstrap = bootstrap.childChannelOption(.socketOption(.tcp_nodelay), value: 1)
}

let channel: any Channel
let listening: String
do {
    switch options.network {
    case .tcp:
        guard let (host, port) = splitHostPort(options.address) else { fail("bad tcp address \(options.address)") }
        channel = try bootstrap.bind(host: host, port: port).wait()
        let local = channel.localAddress
        let ip = local?.ipAddress ?? host
        listening = (local?.protocol == .inet6 ? "[\(ip)]" : ip) + ":\(local?.port ?? port)"
    case .unix:
        let path = options.address
        channel = try bootstrap.bind(unixDomainSocketPath: path).wait()
        listening = path
        onTermination { _ = path.withCString { unlink($0) } }
    }
} catch {
    fail("\(error)")
}
if options.network == .tcp { onTermination {} }
announce("listening on \(listening)")
try? channel.closeFuture.wait()
