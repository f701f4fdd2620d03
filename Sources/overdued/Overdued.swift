import ArgumentParser
import Foundation
import Logging
import OverdueFixtures
import OverdueNotify
import OverdueRegistry
import OverdueServer
import ServiceLifecycle
import UnixSignals

/// `overdued`: the registry server. With no arguments it serves `./data` on 127.0.0.1:7443 (public)
/// and 127.0.0.1:7444 (members), creating development certificates on first start.
@main
struct Overdued: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "overdued", abstract: "The Overdue registry server.")

  @Option(
    help: "Data directory (event log, read model, development certificates). Env: OVERDUE_DATA_DIR."
  )
  var dataDir: String = ProcessInfo.processInfo.environment["OVERDUE_DATA_DIR"] ?? "data"

  @Option(
    help:
      "Public listener host:port (TLS, checks only); port 0 picks a free port. Env: OVERDUE_PUBLIC_ADDRESS."
  )
  var publicAddress: String =
    ProcessInfo.processInfo.environment["OVERDUE_PUBLIC_ADDRESS"] ?? "127.0.0.1:7443"

  @Option(
    help:
      "Member listener host:port (mutual TLS); port 0 picks a free port. Env: OVERDUE_MEMBER_ADDRESS."
  )
  var memberAddress: String =
    ProcessInfo.processInfo.environment["OVERDUE_MEMBER_ADDRESS"] ?? "127.0.0.1:7444"

  @Option(
    help:
      "Server certificate (PEM). With --server-key, --ca-cert and --ca-key replaces the development PKI."
  )
  var serverCert: String?
  @Option(help: "Server private key (PEM).")
  var serverKey: String?
  @Option(help: "Registry CA certificate (PEM): trusted for client certificates.")
  var caCert: String?
  @Option(help: "Registry CA private key (PEM): signs member certificates.")
  var caKey: String?

  @Flag(
    help:
      "Seed a demo registry (every status; member identities in DATA/certs/demo) if the data directory is empty."
  )
  var demo = false

  @Option(help: "Listed parties whose rows checks keep in memory (0 reads SQLite every time).")
  var cachedParties = 100_000

  @Option(
    help:
      "Calls a second per client address on the public listener, burst twice that (0: unlimited).")
  var publicRate = 200.0

  @Option(
    help:
      "Calls a second per member or operator on the member listener, burst twice that (0: unlimited)."
  )
  var memberRate = 50.0

  @Option(help: "Calls running at once on each listener; beyond it new calls get UNAVAILABLE.")
  var maxCallsInFlight = 1_000

  @Option(
    help:
      "Calls running at once per client address (public listener) or per member (member listener), streams included."
  )
  var maxCallsPerAddress = 64

  @Option(
    help: "Long-lived streams (BatchCheck, Health.Watch) open at once per client address or member."
  )
  var maxStreamsPerAddress = 8

  @Option(
    help:
      "Seconds a call may run (long-lived streams excepted); a client deadline can only shorten it."
  )
  var callTimeLimit = 30

  @Option(
    help:
      "Seconds unary calls may take to finish after SIGTERM before whatever remains is cancelled."
  )
  var shutdownGrace = 10

  @Option(
    help:
      "An operator certificate (PEM) to record at start so it is accepted and can be revoked; repeatable."
  )
  var operatorCert: [String] = []

  @Option(help: "Evidence a member may file in all, in MiB; beyond it filings are refused.")
  var evidenceQuotaMib = 1024

  @Option(
    help:
      "The SMTP server e-mail leaves by: smtp://USER:PASSWORD@HOST:PORT (none: e-mail is recorded as undeliverable)."
  )
  var smtpUrl: String?

  @Option(help: "STARTTLS with the SMTP server: required or off.")
  var smtpStarttls = "required"

  @Option(help: "The sender address of the registry's e-mail.")
  var smtpFrom = "notices@overdue.registry"

  @Option(help: "Extra trust roots (PEM) for the SMTP server's certificate.")
  var smtpCaCert: String?

  @Option(help: "Extra trust roots (PEM) for webhook receivers' certificates.")
  var webhookCaCert: String?

  @Flag(help: "Let webhooks reach loopback and private addresses (tests only).")
  var webhookAllowPrivate = false

  @Option(
    help:
      "The RBI bank rate in percent; MSMED Act section 16 interest runs at three times it. Keep it current."
  )
  var rbiBankRate = 5.5

  @Option(
    help:
      "Seconds between scheduler passes (deadlines, reminders, digests)."
  )
  var schedulerInterval = 30.0

  @Option(
    help:
      "The registry's time zone (IANA name): today's date, and the 09:00-21:00 window SMS and IVR reminders keep."
  )
  var timeZone = "UTC"

  @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
  var logLevel: String = "info"

  func run() async throws {
    guard let publicListener = ServerConfiguration.Address(publicAddress) else {
      throw ValidationError("--public-address must be host:port, got '\(publicAddress)'")
    }
    guard let memberListener = ServerConfiguration.Address(memberAddress) else {
      throw ValidationError("--member-address must be host:port, got '\(memberAddress)'")
    }
    let tlsFiles = try tlsFiles()
    let smtp = try smtpConfiguration()
    guard let zone = TimeZone(identifier: timeZone) else {
      throw ValidationError(
        "--time-zone must be an IANA time zone such as Asia/Kolkata, got '\(timeZone)'")
    }
    guard rbiBankRate.isFinite, (0...50).contains(rbiBankRate) else {
      throw ValidationError("--rbi-bank-rate is a percentage from 0 to 50, got \(rbiBankRate)")
    }
    guard schedulerInterval.isFinite, schedulerInterval >= 0.1, schedulerInterval <= 3600 else {
      throw ValidationError("--scheduler-interval is 0.1 to 3600 seconds, got \(schedulerInterval)")
    }
    var logger = Logger(label: "overdued")
    logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
    let configuration = ServerConfiguration.defaults(dataDirectory: URL(fileURLWithPath: dataDir)) {
      $0.publicAddress = publicListener
      $0.memberAddress = memberListener
      $0.tlsFiles = tlsFiles
      if demo { $0.seed = DemoRegistry.seed }
      $0.cachedParties = cachedParties
      $0.limits.publicRate = Self.rate(publicRate)
      $0.limits.memberRate = Self.rate(memberRate)
      $0.limits.maxCallsInFlight = maxCallsInFlight
      $0.limits.maxCallsPerPeer = maxCallsPerAddress
      $0.limits.maxStreamsPerPeer = maxStreamsPerAddress
      $0.limits.callTimeLimit = .seconds(callTimeLimit)
      $0.limits.shutdownGrace = .seconds(shutdownGrace)
      $0.operatorCertificates = operatorCert
      $0.evidenceQuotaBytes = Int64(evidenceQuotaMib) << 20
      $0.smtp = smtp
      $0.webhooks = .defaults {
        $0.allowPrivate = webhookAllowPrivate
        $0.extraTrustRootsPEMFile = webhookCaCert
      }
      $0.notices.webhookAllowPrivate = webhookAllowPrivate
      $0.notices.bankRateBasisPoints = Int((rbiBankRate * 100).rounded())
      $0.notices.mailDomain =
        smtpFrom.split(separator: "@").last.map(String.init) ?? "overdue.registry"
      $0.schedulerInterval = .milliseconds(Int(schedulerInterval * 1000))
      $0.clock = RegistryClock(timeZone: zone)
    }
    let group = ServiceGroup(
      services: [RegistryServer(configuration: configuration, logger: logger)],
      gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
    try await group.run()
  }

  private func smtpConfiguration() throws -> SMTPConfiguration? {
    guard let smtpUrl else { return nil }
    let policies: [String: STARTTLSPolicy] = ["required": .required, "off": .off]
    guard let policy = policies[smtpStarttls] else {
      throw ValidationError("--smtp-starttls is required or off, got '\(smtpStarttls)'")
    }
    do {
      return try SMTPConfiguration(url: smtpUrl, from: smtpFrom) {
        $0.starttls = policy
        $0.extraTrustRootsPEMFile = smtpCaCert
      }
    } catch {
      throw ValidationError("--smtp-url: \(error)")
    }
  }

  private static func rate(_ perSecond: Double) -> CallRate? {
    perSecond > 0 ? CallRate(perSecond: perSecond, burst: Int(perSecond * 2)) : nil
  }

  private func tlsFiles() throws -> ServerConfiguration.TLSFiles? {
    let given = [serverCert, serverKey, caCert, caKey]
    if given.allSatisfy({ $0 == nil }) { return nil }
    guard let serverCert, let serverKey, let caCert, let caKey else {
      throw ValidationError(
        "give all of --server-cert, --server-key, --ca-cert and --ca-key, or none")
    }
    return .init(
      serverCertificate: serverCert, serverKey: serverKey, caCertificate: caCert, caKey: caKey)
  }
}
