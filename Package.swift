// swift-tools-version: 6.1
//
// SwiftNet: Go's socket packages (`syscall`, `net`) in Swift, on Linux.
// Layers, each calling only the one below: Net -> NetPoll -> Syscall -> CSocketShim.
import PackageDescription

/// What the tests build with: Swift 6, strict concurrency, as a user's package would.
let testStrict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

/// The library and its programs add SE-0461: a nonisolated async function runs on its caller's
/// executor. So `conn.read` called from a connection's task stays on the poller that owns the
/// fd: no `swift_task_switch` to a "generic" executor on entry, one cheaper hop on return.
/// The tests build without it, as most callers will.
let strict = testStrict + [.enableUpcomingFeature("NonisolatedNonsendingByDefault")]

/// One executable target per tutorial program, each a single main.swift under Examples/NAME.
func example(_ name: String, _ deps: [Target.Dependency]) -> Target {
    .executableTarget(name: name, dependencies: deps, path: "Examples/\(name)", swiftSettings: strict)
}

let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")
let unixSignals: Target.Dependency = .product(name: "UnixSignals", package: "swift-service-lifecycle")

let package = Package(
    name: "SwiftNet",
    products: [
        .library(name: "Syscall", targets: ["Syscall"]),
        .library(name: "Net", targets: ["Net"]),
        .executable(name: "swiftnet", targets: ["swiftnet"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
    ],
    targets: [
        // C: only what Swift cannot import (CMSG_* macros, SUN_LEN, awkward constants).
        .target(name: "CSocketShim", path: "CSocketShim", cSettings: [.define("_GNU_SOURCE")]),
        .target(name: "Syscall", dependencies: ["CSocketShim"], swiftSettings: strict),
        .target(name: "NetPoll", dependencies: ["Syscall"], swiftSettings: strict),
        .target(name: "Net", dependencies: ["NetPoll", "Syscall"], swiftSettings: strict),
        // The scenarios `swiftnet demo` runs; later issues add theirs here.
        .target(name: "Demo", dependencies: ["Syscall", "Net"], swiftSettings: strict),
        .executableTarget(name: "swiftnet", dependencies: ["Demo", argumentParser], swiftSettings: strict),

        example("raw-echo-server", ["Syscall", argumentParser]),
        example("raw-echo-client", ["Syscall", argumentParser]),
        example("fd-sender", ["Syscall"]),
        example("fd-receiver", ["Syscall"]),
        example("echo-server", ["Net", argumentParser, unixSignals]),
        example("echo-client", ["Net", argumentParser]),
        example("message-server", ["Net", argumentParser, unixSignals]),
        example("message-sender", ["Net", argumentParser]),

        .target(name: "TestSupport", dependencies: ["Syscall", "NetPoll"], path: "Tests/TestSupport", swiftSettings: testStrict),
        .testTarget(name: "SyscallTests", dependencies: ["Syscall", "TestSupport"], swiftSettings: testStrict),
        .testTarget(name: "InteropTests", dependencies: ["Net", "Syscall", "TestSupport"],
                    exclude: ["Peers"], swiftSettings: testStrict),
        .testTarget(name: "NetPollTests", dependencies: ["NetPoll", "Syscall", "TestSupport"], swiftSettings: testStrict),
        .testTarget(name: "NetTests", dependencies: ["Net", "NetPoll", "Syscall", "TestSupport"], swiftSettings: testStrict),
        .testTarget(name: "DemoTests", dependencies: ["Demo", "TestSupport"], swiftSettings: testStrict),
    ]
)
