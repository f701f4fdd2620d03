import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import OverdueAPI
import OverdueCertificates
import OverdueClient
import OverdueServer
import Testing

@Suite("End to end over TLS: certificate rotation")
struct CertificateRotationTests {
  /// The DER of the certificate a TLS handshake with `port` is offered (verified against `caFile`).
  static func servedCertificate(port: Int, caFile: String) async throws -> [UInt8] {
    var configuration = TLSConfiguration.makeClientConfiguration()
    configuration.trustRoots = .file(caFile)
    configuration.applicationProtocols = ["h2"]
    let context = try NIOSSLContext(configuration: configuration)
    let served = NIOLockedValueBox<[UInt8]?>(nil)
    let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .channelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          let handler = try NIOSSLClientHandler(
            context: context, serverHostname: "localhost",
            customVerificationCallback: { chain, promise in
              served.withLockedValue { $0 = try? chain.first?.toDERBytes() }
              promise.succeed(.certificateVerified)
            })
          try channel.pipeline.syncOperations.addHandler(handler)
        }
      }
      .connect(host: "127.0.0.1", port: port).get()
    defer { channel.close(promise: nil) }
    for _ in 0..<100 where served.withLockedValue({ $0 }) == nil {
      try await Task.sleep(for: .milliseconds(20))
    }
    return try #require(served.withLockedValue { $0 })
  }

  @Test func aRenewedServerCertificateIsServedWithoutARestart() async throws {
    try await TestRegistry.with(configure: { $0.certificateReloadInterval = .milliseconds(100) }) {
      registry in
      let port = ListenerAddresses.port(of: registry.addresses.public)
      let before = try await Self.servedCertificate(port: port, caFile: registry.caFile)

      let renewed = try registry.authority.issueServerCertificate(
        dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"])
      let certs = registry.directory.appendingPathComponent("test-certs")
      try renewed.privateKeyPEM!.write(
        to: certs.appendingPathComponent("server-key.pem"), atomically: true, encoding: .utf8)
      try renewed.certificatePEM.write(
        to: certs.appendingPathComponent("server.pem"), atomically: true, encoding: .utf8)
      let expected = try NIOSSLCertificate(bytes: Array(renewed.certificatePEM.utf8), format: .pem)
        .toDERBytes()

      var served = before
      let giveUp = ContinuousClock.now + .seconds(10)
      while served != expected, ContinuousClock.now < giveUp {
        try await Task.sleep(for: .milliseconds(100))
        served = try await Self.servedCertificate(port: port, caFile: registry.caFile)
      }
      let (renewedIsNew, renewedIsServed) = (before != expected, served == expected)
      #expect(renewedIsNew)
      #expect(renewedIsServed, "the renewed certificate is served to new connections")
      let report = try await registry.publicConnection.withClients {
        try await $0.lookup.checkParty(Requests.check())
      }
      #expect(report.status == .clear)
    }
  }
}
