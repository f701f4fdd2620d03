import ArgumentParser
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import OverdueFixtures
import OverdueRegistry
import OverdueServer

/// `overdue-bench serve`: the real registry server and a no-op `Lookup` on the same TLS transport
/// configuration, in a process of their own so the load generator can be measured (and pinned)
/// apart. Prints `PUBLIC_PORT NOOP_PORT` once both listen; exits when standard input closes.
struct BenchServer: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "serve", abstract: "Run the registry and a no-op Lookup for `checks`.",
    shouldDisplay: false)

  @Option(help: "Data directory (populated by `checks`).") var dataDir: String

  func run() async throws {
    let data = URL(fileURLWithPath: dataDir)
    var logger = Logger(label: "overdue-bench")
    logger.logLevel = .error
    let configuration = ServerConfiguration.defaults(dataDirectory: data) {
      $0.publicAddress = .init(host: "127.0.0.1", port: 0)
      $0.memberAddress = .init(host: "127.0.0.1", port: 0)
      // One load generator is one address: measure, don't throttle or hold it to a share.
      $0.limits.publicRate = nil
      $0.limits.memberRate = nil
      $0.limits.maxCallsInFlight = 20_000
      $0.limits.maxCallsPerPeer = 20_000
      $0.limits.maxStreamsPerPeer = 20_000
    }
    let (listening, continuation) = AsyncStream.makeStream(of: ListenerAddresses.self)
    let server = RegistryServer(configuration: configuration, logger: logger) {
      continuation.yield($0)
    }
    let serverTask = Task { try await server.run() }
    var iterator = listening.makeAsyncIterator()
    guard let addresses = await iterator.next() else { throw ExitCode.failure }
    let certs = data.appendingPathComponent("certs")
    let noOp = HTTP2ServerTransport.Posix(
      address: .ipv4(host: "127.0.0.1", port: 0),
      transportSecurity: .tls(
        certificateChain: [
          .file(path: certs.appendingPathComponent("server.pem").path, format: .pem)
        ],
        privateKey: .file(path: certs.appendingPathComponent("server-key.pem").path, format: .pem)),
      config: .defaults { $0.rpc.maxRequestPayloadSize = 1 << 20 })
    let noOpServer = GRPCServer(transport: noOp, services: [NoOpLookup()])
    let noOpTask = Task { try await noOpServer.serve() }
    guard let noOpPort = try await noOp.listeningAddress.ipv4?.port else {
      throw ExitCode.failure
    }
    FileHandle.standardOutput.write(
      Data("\(ListenerAddresses.port(of: addresses.public)) \(noOpPort)\n".utf8))
    await Task.detached { _ = FileHandle.standardInput.readDataToEndOfFile() }.value
    noOpServer.beginGracefulShutdown()
    serverTask.cancel()
    _ = await (noOpTask.result, serverTask.result)
  }
}
