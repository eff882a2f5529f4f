// swift-tools-version: 6.1
//
// SwiftNet's benchmark programs, in a package of their own so that the main package never
// depends on what it is compared with (issue 4). Build with `swift build -c release`.
//
//   swiftnet-echo    SwiftNet's echo server (and fd receiver), written as a SwiftNet user should
//   nio-echo         SwiftNIO's idiomatic echo server (NIOPosix ServerBootstrap)
//   swiftnet-client  SwiftNet as the load generator's client side (ping-pong)
//
// Go's server is go/echo/main.go (`GO111MODULE=off go build`); the C programs live in c/.
import PackageDescription

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

/// SwiftNet's programs also run nonisolated async code on the caller's executor (SE-0461), as
/// SwiftNet itself does: a handler awaiting `read` then stays on the poller that resumed it,
/// with no `swift_task_switch` back to a "generic" executor after every call.
let swiftNetProgram = strict + [.enableUpcomingFeature("NonisolatedNonsendingByDefault")]

let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")

let package = Package(
    name: "SwiftNetBenchmarks",
    products: [
        .executable(name: "swiftnet-echo", targets: ["swiftnet-echo"]),
        .executable(name: "nio-echo", targets: ["nio-echo"]),
        .executable(name: "swiftnet-client", targets: ["swiftnet-client"]),
    ],
    dependencies: [
        .package(name: "SwiftNet", path: ".."),
        .package(url: "https://github.com/apple/swift-nio", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // What every benchmark program shares and none measures: the CLI contract, the
        // open-file limit, SIGINT/SIGTERM, the "listening on" line.
        .target(name: "BenchSupport", dependencies: [argumentParser], swiftSettings: strict),
        .executableTarget(
            name: "swiftnet-echo",
            dependencies: ["BenchSupport", .product(name: "Net", package: "SwiftNet"),
                           .product(name: "Syscall", package: "SwiftNet")],
            swiftSettings: swiftNetProgram),
        .executableTarget(
            name: "nio-echo",
            dependencies: ["BenchSupport", .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "NIOPosix", package: "swift-nio")],
            swiftSettings: strict),
        .executableTarget(
            name: "swiftnet-client",
            dependencies: ["BenchSupport", .product(name: "Net", package: "SwiftNet"), argumentParser],
            swiftSettings: swiftNetProgram),
    ]
)
