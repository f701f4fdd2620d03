import Foundation
import GRPCCore
import GRPCProtobuf
import Logging
import OverdueAPI
import OverdueCertificates
import OverdueClient
import OverdueFixtures
import OverdueRegistry
import OverdueServer
import Synchronization

/// A real `overdued` in-process: real TLS on ephemeral loopback ports, certificates made here,
/// real SQLite files in a temporary directory. Time is fixed so date rules are deterministic.
struct TestRegistry {
  static let now = ISO8601DateFormatter().date(from: "2026-11-23T12:00:00Z")!

  /// The registry's business clock, which a test may move forward.
  final class Clock: Sendable {
    private let instant = Mutex(TestRegistry.now)
    var now: Date { instant.withLock { $0 } }
    func advance(days: Int) { instant.withLock { $0 += Double(days) * 86_400 } }
  }

  let directory: URL
  let authority: CertificateAuthority
  let addresses: ListenerAddresses
  let operatorIdentity: IdentityDirectory
  let clock: Clock

  /// Starts a registry (its scheduler running every 50 ms), runs `body`, and stops the registry.
  static func with<T: Sendable>(
    demo: Bool = false,
    configure: (inout ServerConfiguration) -> Void = { _ in },
    _ body: (TestRegistry) async throws -> T
  ) async throws -> T {
    let clock = Clock()
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "overdue-e2e-\(UUID().uuidString)")
    let certs = directory.appendingPathComponent("test-certs")
    try FileManager.default.createDirectory(at: certs, withIntermediateDirectories: true)
    let authority = try CertificateAuthority.create(commonName: "Overdue test CA")
    let server = try authority.issueServerCertificate(
      dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"])
    let files = ServerConfiguration.TLSFiles(
      serverCertificate: certs.appendingPathComponent("server.pem").path,
      serverKey: certs.appendingPathComponent("server-key.pem").path,
      caCertificate: certs.appendingPathComponent("ca.pem").path,
      caKey: certs.appendingPathComponent("ca-key.pem").path)
    try server.certificatePEM.write(
      toFile: files.serverCertificate, atomically: true, encoding: .utf8)
    try server.privateKeyPEM!.write(toFile: files.serverKey, atomically: true, encoding: .utf8)
    try authority.certificatePEM.write(
      toFile: files.caCertificate, atomically: true, encoding: .utf8)
    try authority.privateKeyPEM.write(toFile: files.caKey, atomically: true, encoding: .utf8)
    let operatorIdentity = try Self.identity(
      uri: "overdue:operator:tester", signedBy: authority,
      in: certs.appendingPathComponent("operator"))

    let configuration = ServerConfiguration.defaults(
      dataDirectory: directory.appendingPathComponent("data")
    ) {
      $0.publicAddress = .init(host: "127.0.0.1", port: 0)
      $0.memberAddress = .init(host: "127.0.0.1", port: 0)
      $0.tlsFiles = files
      $0.operatorCertificates = [operatorIdentity.certificateFile.path]
      $0.clock = RegistryClock(now: { clock.now })
      $0.schedulerInterval = .milliseconds(50)
      $0.readYourWritesWait = .milliseconds(300)
      if demo { $0.seed = DemoRegistry.seed }
      configure(&$0)
    }
    let (listening, continuation) = AsyncStream.makeStream(of: ListenerAddresses.self)
    var logger = Logger(label: "overdued-test")
    logger.logLevel = .warning
    let registryServer = RegistryServer(configuration: configuration, logger: logger) {
      continuation.yield($0)
    }
    let serverTask = Task { try await registryServer.run() }
    defer { serverTask.cancel() }
    var iterator = listening.makeAsyncIterator()
    guard let addresses = await iterator.next() else {
      throw RPCError(code: .internalError, message: "server did not start")
    }
    let registry = TestRegistry(
      directory: directory, authority: authority, addresses: addresses,
      operatorIdentity: operatorIdentity, clock: clock)
    let result = try await body(registry)
    serverTask.cancel()
    _ = await serverTask.result
    try? FileManager.default.removeItem(at: directory)
    return result
  }

  /// Writes an identity directory for `uri`, signed by `authority`.
  static func identity(uri: String, signedBy authority: CertificateAuthority, in directory: URL)
    throws -> IdentityDirectory
  {
    let issued = try authority.issueClientCertificate(uri: uri, commonName: uri, csrPEM: nil)
    let identity = IdentityDirectory(directory)
    try identity.write(
      certificatePEM: issued.certificatePEM, privateKeyPEM: issued.privateKeyPEM!,
      caPEM: try authority.certificatePEM)
    return identity
  }

  var caFile: String { directory.appendingPathComponent("test-certs/ca.pem").path }
  var eventsPath: String { directory.appendingPathComponent("data/events.sqlite").path }

  /// The public listener, anonymous.
  var publicConnection: RegistryConnection {
    RegistryConnection(address: addresses.public, caFile: caFile)!
  }

  /// The member listener with an identity (or none, to test refusal).
  func memberConnection(_ identity: IdentityDirectory?) -> RegistryConnection {
    RegistryConnection(address: addresses.member, caFile: caFile, identity: identity)!
  }

  /// As the operator.
  func asOperator<T: Sendable>(_ body: (RegistryClients) async throws -> T) async throws -> T {
    try await memberConnection(operatorIdentity).withClients(body)
  }

  /// Registers a member and issues it a certificate through the API (CSR made here); its identity.
  func onboardMember(name: String, gstin: String) async throws -> (
    memberId: String, identity: IdentityDirectory
  ) {
    try await asOperator { clients in
      var register = Overdue_V1_RegisterMemberRequest()
      register.requestID = "register-\(gstin)"
      register.displayName = name
      register.identifier.value = gstin
      register.sector = "Wholesale"
      let member = try await clients.operator.registerMember(register)
      let signingRequest = try SigningRequest(commonName: name)
      var issue = Overdue_V1_IssueMemberCertificateRequest()
      issue.requestID = "issue-\(gstin)"
      issue.memberID = member.memberID
      issue.csrPem = signingRequest.csrPEM
      let response = try await clients.operator.issueMemberCertificate(issue)
      let identity = IdentityDirectory(
        directory.appendingPathComponent("members/\(member.memberID)"))
      try identity.write(
        certificatePEM: response.certificatePem, privateKeyPEM: signingRequest.privateKeyPEM,
        caPEM: response.caCertificatePem)
      return (member.memberID, identity)
    }
  }
}

/// Requests the end-to-end tests send.
enum Requests {
  static let buyer = "27AAPFU0939F1ZV"

  static func filing(
    requestId: String = UUID().uuidString, party: String = buyer, notice: String = "2026-11-01",
    invoice: String = "INV-1041"
  ) -> Overdue_V1_FileDefaultRequest {
    var request = Overdue_V1_FileDefaultRequest()
    request.requestID = requestId
    request.party.value = party
    request.legalName = "Acme Fabrication LLP"
    request.currency = "INR"
    var first = Overdue_V1_Invoice()
    first.number = invoice
    first.issuedOn = "2026-06-01"
    first.dueOn = "2026-07-01"
    first.amountMinor = 245_000_00
    request.invoices = [first]
    request.noticeServedOn = notice
    var evidence = Overdue_V1_Evidence()
    evidence.description_p = "invoice.pdf"
    evidence.contentType = "application/pdf"
    evidence.content = Data("%PDF-1.4 invoice \(invoice)".utf8)
    request.evidence = [evidence]
    return request
  }

  static func check(_ value: String = buyer, minSequence: UInt64 = 0)
    -> Overdue_V1_CheckPartyRequest
  {
    var request = Overdue_V1_CheckPartyRequest()
    request.party.value = value
    request.minSequence = minSequence
    return request
  }

  static func verify(_ listingId: String, requestId: String = UUID().uuidString)
    -> Overdue_V1_VerifyListingRequest
  {
    var request = Overdue_V1_VerifyListingRequest()
    request.requestID = requestId
    request.listingID = listingId
    return request
  }

  static func settle(_ listingId: String, on date: String = "2026-11-22")
    -> Overdue_V1_ConfirmSettlementRequest
  {
    var request = Overdue_V1_ConfirmSettlementRequest()
    request.requestID = UUID().uuidString
    request.listingID = listingId
    request.settledOn = date
    return request
  }
}

/// Runs `body` expecting an RPC error; returns it (with its unpacked google.rpc.Status, if any).
func expectRPCError(_ body: () async throws -> Void) async -> (RPCError, GoogleRPCStatus?)? {
  do {
    try await body()
    return nil
  } catch let error as RPCError {
    return (error, try? error.unpackGoogleRPCStatus())
  } catch {
    return nil
  }
}
