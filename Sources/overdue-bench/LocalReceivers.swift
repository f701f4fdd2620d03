import Foundation
import NIOSSL
import OverdueCertificates
import Synchronization

/// The certificates of the local receivers: a CA made for the run, a server certificate it
/// signed for 127.0.0.1 and `localhost`, and the CA certificate in a PEM file the channels trust.
struct ReceiverPKI {
  let caFile: String
  let context: NIOSSLContext

  init(in directory: URL) throws {
    let authority = try CertificateAuthority.create(commonName: "Overdue delivery bench CA")
    let issued = try authority.issueServerCertificate(
      dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"])
    caFile = directory.appendingPathComponent("receivers-ca.pem").path
    try authority.certificatePEM.write(toFile: caFile, atomically: true, encoding: .utf8)
    context = try NIOSSLContext(
      configuration: .makeServerConfiguration(
        certificateChain: [
          .certificate(
            try NIOSSLCertificate(bytes: Array(issued.certificatePEM.utf8), format: .pem))
        ],
        privateKey: .privateKey(
          try NIOSSLPrivateKey(bytes: Array((issued.privateKeyPEM ?? "").utf8), format: .pem))))
  }
}

/// What a receiver has seen: connections accepted, messages accepted, and their identities
/// (`Message-ID`, `webhook-id`), so that a message that arrives twice shows.
final class ReceiverTally: Sendable {
  struct Counts: Sendable {
    var connections = 0
    var received = 0
    var distinct = 0
  }

  private struct State {
    var counts = Counts()
    var identities = Set<String>()
  }

  private let state = Mutex(State())

  func connected() { state.withLock { $0.counts.connections += 1 } }

  func received(identity: String) {
    state.withLock {
      $0.counts.received += 1
      if $0.identities.insert(identity).inserted { $0.counts.distinct += 1 }
    }
  }

  var counts: Counts { state.withLock { $0.counts } }
}
