// The swiftnet command: argument parsing only; the work lives in the libraries.
import ArgumentParser
import Demo

@main
struct SwiftNetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swiftnet",
        abstract: "Go's socket programming model in Swift on Linux.",
        subcommands: [DemoCommand.self],
        defaultSubcommand: DemoCommand.self)
}

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run every scenario on real sockets in a temporary directory and print a transcript.",
        discussion: "Exits 0 only if every scenario worked.")

    func run() async throws {
        guard await Demo.run() else { throw ExitCode.failure }
    }
}
