import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
public import Logging
import NIOCertificateReloading
import OverdueAPI
import OverdueCertificates
import OverdueCore
import OverdueNotify
import OverdueRegistry
import OverdueStore
public import ServiceLifecycle

/// The registry server: opens the stores, then serves the public listener (TLS: `Lookup`, health)
/// and the member listener (mutual TLS trusting only the registry CA: `Members`, `Operator`, `Lookup`).
public struct RegistryServer: Service {
  let configuration: ServerConfiguration
  let logger: Logger
  let onListening: @Sendable (ListenerAddresses) -> Void

  public init(
    configuration: ServerConfiguration, logger: Logger,
    onListening: @escaping @Sendable (ListenerAddresses) -> Void = { _ in }
  ) {
    self.configuration = configuration
    self.logger = logger
    self.onListening = onListening
  }

  /// Serves until cancelled or gracefully shut down: new calls are refused, unary calls finish,
  /// streams are told to end, and after the grace period whatever remains is cancelled.
  public func run() async throws {
    let data = configuration.dataDirectory
    try PrivateFiles.ensureDirectory(data)
    let developmentPKI = configuration.tlsFiles == nil
    let files =
      try configuration.tlsFiles
      ?? DevelopmentPKI.ensure(in: configuration.certificatesDirectory, logger: logger)
    let authority = try CertificateAuthority(
      certificatePEM: try String(contentsOfFile: files.caCertificate, encoding: .utf8),
      privateKeyPEM: try String(contentsOfFile: files.caKey, encoding: .utf8))
    let eventStore = try EventStore(
      path: data.appendingPathComponent("events.sqlite").path,
      faults: configuration.storageFaults)
    let operators =
      configuration.operatorCertificates
      + (developmentPKI
        ? [DevelopmentPKI.operatorCertificate(in: configuration.certificatesDirectory)] : [])
    try OperatorCertificates.record(operators, authority: authority, in: eventStore)
    let readModel = try ReadModel(
      path: data.appendingPathComponent("read.sqlite").path,
      cachedParties: configuration.cachedParties)
    if let seed = configuration.seed {
      try await seed(
        RegistrySeedContext(
          eventStore: eventStore, readModel: readModel, authority: authority,
          policy: configuration.policy, certificates: configuration.certificatesDirectory,
          logger: logger))
    }

    let blocking = BlockingWork(threads: configuration.storageThreads)
    let registry = try Registry(
      eventStore: eventStore, readModel: readModel, authority: authority,
      policy: configuration.policy,
      clock: configuration.clock, logger: logger,
      readYourWritesWait: configuration.readYourWritesWait,
      evidenceQuotaBytes: configuration.evidenceQuotaBytes,
      maxWatchedParties: configuration.maxWatchedParties, notices: configuration.notices,
      blocking: blocking)
    let dispatcher = OutboxDispatcher(
      registry: registry, email: try configuration.smtp.map { try SMTPChannel(configuration: $0) },
      webhook: try WebhookChannel(configuration: configuration.webhooks),
      concurrency: configuration.deliveryConcurrency, logger: logger)
    // Both listeners serve the certificate and key the reloader last read from the files.
    let reloader = try TimedCertificateReloader.makeReloaderValidatingSources(
      refreshInterval: configuration.certificateReloadInterval,
      certificateSource: .init(location: .file(path: files.serverCertificate), format: .pem),
      privateKeySource: .init(location: .file(path: files.serverKey), format: .pem))
    let limits = configuration.limits
    let calls = RunningCalls(
      tick: min(max(limits.callTimeLimit / 4, .milliseconds(10)), .seconds(1)))
    let streams: Set<MethodDescriptor> = [
      Overdue_V1_Lookup.Method.BatchCheck.descriptor,
      Grpc_Health_V1_Health.Method.Watch.descriptor,
      Overdue_V1_Members.Method.Watch.descriptor,
    ]
    func supervisor(_ peer: CallSupervisor.Peer, rate: CallRate?) -> CallSupervisor {
      CallSupervisor(
        peer: peer,
        budget: ListenerBudget(
          .init(
            maxInFlight: limits.maxCallsInFlight, maxInFlightPerPeer: limits.maxCallsPerPeer,
            maxStreamsPerPeer: limits.maxStreamsPerPeer)),
        rate: rate.map { RateLimiter(rate: $0) }, calls: calls, streams: streams,
        timeLimit: limits.callTimeLimit)
    }
    let publicTransport = HTTP2ServerTransport.Posix(
      address: .ipv4(
        host: configuration.publicAddress.host, port: configuration.publicAddress.port),
      transportSecurity: .tls(
        certificateChain: [.file(path: files.serverCertificate, format: .pem)],
        privateKey: .file(path: files.serverKey, format: .pem)
      ) {
        $0.requireALPN = true
        $0.certificateReloader = reloader
      },
      config: transportConfig(maxRequestBytes: limits.publicMaxRequestBytes))
    let memberTransport = HTTP2ServerTransport.Posix(
      address: .ipv4(
        host: configuration.memberAddress.host, port: configuration.memberAddress.port),
      transportSecurity: .mTLS(
        certificateChain: [.file(path: files.serverCertificate, format: .pem)],
        privateKey: .file(path: files.serverKey, format: .pem)
      ) {
        // The transport's default trusts the system roots: trust only the registry's CA.
        $0.trustRoots = .certificates([.file(path: files.caCertificate, format: .pem)])
        $0.requireALPN = true
        $0.certificateReloader = reloader
      },
      config: transportConfig(maxRequestBytes: limits.memberMaxRequestBytes))

    let lookup = LookupService(registry: registry, batchAnswerBytes: limits.batchAnswerBytes)
    let statusMapping = StatusMappingInterceptor(logger: logger)
    let cancellable = CancellableHandlerInterceptor()
    let publicServer = GRPCServer(
      transport: SupervisedTransport(
        base: publicTransport, supervisor: supervisor(.address, rate: limits.publicRate)),
      services: [lookup, HealthService()], interceptors: [statusMapping, cancellable])
    let memberServer = GRPCServer(
      transport: SupervisedTransport(
        base: memberTransport, supervisor: supervisor(.certificate, rate: limits.memberRate)),
      services: [
        lookup,
        MembersService(
          registry: registry, watchProgressInterval: configuration.watchProgressInterval),
        OperatorService(registry: registry),
      ],
      interceptors: [statusMapping, cancellable, AuthenticationInterceptor(registry: registry)])

    let listeners = GRPCListeners(
      publicServer: publicServer, memberServer: memberServer, calls: calls,
      grace: limits.shutdownGrace, logger: logger
    ) { [onListening] in
      let addresses = ListenerAddresses(
        public: try await Self.describe(publicTransport.listeningAddress),
        member: try await Self.describe(memberTransport.listeningAddress))
      try addresses.write(to: data.appendingPathComponent("listeners.json"))
      logger.info(
        "listening", metadata: ["public": "\(addresses.public)", "member": "\(addresses.member)"])
      onListening(addresses)
    }
    // One group for the registry's lifecycle services; it shuts them down in reverse order, so
    // the listeners end first (with their grace period) and the follower last.
    let services = ServiceGroup(
      configuration: .init(
        services: [
          .init(service: registry.follower),
          .init(service: dispatcher),
          .init(service: AlertRelay(registry: registry, logger: logger)),
          .init(
            service: DeadlineScheduler(
              registry: registry, interval: configuration.schedulerInterval, logger: logger)),
          .init(service: CancelledOnShutdown(base: reloader)),
          .init(service: calls),
          .init(service: listeners, successTerminationBehavior: .gracefullyShutdownGroup),
        ],
        logger: logger))
    try await withGracefulShutdownHandler {
      try await services.run()
    } onGracefulShutdown: {
      Task { await services.triggerGracefulShutdown() }
    }
    // The log is closed cleanly: nothing uses the stores once the services and the pool are done.
    await blocking.shutdown()
    try eventStore.close()
    try readModel.close()
    logger.info("stopped; the event log and the read model are closed")
  }

  private func transportConfig(maxRequestBytes: Int) -> HTTP2ServerTransport.Posix.Config {
    let limits = configuration.limits
    return .defaults {
      $0.rpc.maxRequestPayloadSize = maxRequestBytes
      $0.http2.maxConcurrentStreams = limits.maxConcurrentStreams
      $0.connection.maxIdleTime = limits.connectionIdleTimeout
      $0.connection.maxAge = limits.connectionMaxAge
      $0.connection.maxGraceTime = limits.connectionMaxGrace
    }
  }

  private static func describe(_ address: GRPCNIOTransportCore.SocketAddress) throws -> String {
    guard let ipv4 = address.ipv4 else {
      throw RPCError(code: .internalError, message: "unexpected listening address \(address)")
    }
    return "\(ipv4.host):\(ipv4.port)"
  }
}
