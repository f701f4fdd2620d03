import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// Signed webhook calls (Standard Webhooks 1.0) over HTTPS: one attempt per `deliver`, to a
/// checked address only, bounded in time and in calls per endpoint.
///
/// Before each call the host is resolved and every address it resolves to must pass the
/// address policy; the connection then goes to the checked address (the client's
/// `dnsOverride`), while TLS (SNI, certificate name) and the `Host` header keep the name, so a
/// second, different DNS answer cannot redirect the call (DNS rebinding).
public final class WebhookChannel: Channel {
  public typealias Message = WebhookCall

  public static let userAgent = "Overdue-Webhooks/1"
  /// The most of a response body ever read (only the status matters).
  static let responseBodyLimit = 64 * 1024

  public let configuration: WebhookConfiguration
  private let policy: WebhookAddressPolicy
  private let resolver: any HostResolver
  private let slots: EndpointSlots
  private let clients: PinnedClientCache<HTTPClient>

  /// A channel; throws when the extra trust roots cannot be read or a limit is not positive.
  public convenience init(configuration: WebhookConfiguration = .defaults)
    throws(WebhookConfigurationError)
  {
    try self.init(configuration: configuration, resolver: SystemHostResolver())
  }

  init(configuration: WebhookConfiguration, resolver: any HostResolver)
    throws(WebhookConfigurationError)
  {
    guard configuration.maxConcurrentPerEndpoint >= 1, configuration.maxCachedClients >= 1,
      configuration.timeout > .zero
    else {
      throw WebhookConfigurationError(
        message: "the timeout, calls per endpoint and cached clients must all be positive")
    }
    self.configuration = configuration
    self.policy = WebhookAddressPolicy(allowPrivate: configuration.allowPrivate)
    self.resolver = resolver
    self.slots = EndpointSlots(limit: configuration.maxConcurrentPerEndpoint)
    let http = try Self.httpConfiguration(configuration)
    self.clients = PinnedClientCache(capacity: configuration.maxCachedClients) { key in
      var http = http
      if IPAddress(key.host) == nil { http.dnsOverride = [key.host: key.address] }
      return HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: http)
    }
  }

  private static func httpConfiguration(_ configuration: WebhookConfiguration)
    throws(WebhookConfigurationError) -> HTTPClient.Configuration
  {
    var tls = TLSConfiguration.makeClientConfiguration()
    // A connection is closed only once its answer is in (or given up on): waiting long for the
    // receiver's close_notify would only hold the socket, and `shutdown()`, for nothing.
    tls.shutdownTimeout = .seconds(1)
    if let path = configuration.extraTrustRootsPEMFile {
      let certificates: [NIOSSLCertificate]
      do {
        certificates = try NIOSSLCertificate.fromPEMFile(path)
      } catch {
        throw WebhookConfigurationError(message: "cannot read trust roots from \(path): \(error)")
      }
      guard !certificates.isEmpty else {
        throw WebhookConfigurationError(message: "\(path) holds no PEM certificate")
      }
      tls.additionalTrustRoots = [.certificates(certificates)]
    }
    var pool = HTTPClient.Configuration.ConnectionPool()
    pool.concurrentHTTP1ConnectionsPerHostSoftLimit = configuration.maxConcurrentPerEndpoint
    // One attempt per delivery: a failed connection fails the call now (the outbox retries
    // later) rather than being retried inside the client until the deadline.
    pool.retryConnectionEstablishment = false
    return HTTPClient.Configuration(
      tlsConfiguration: tls,
      redirectConfiguration: .disallow,
      timeout: .init(connect: TimeAmount(configuration.timeout)),
      connectionPool: pool,
      proxy: nil,
      decompression: .disabled)
  }

  public func deliver(_ call: WebhookCall) async -> DeliveryResult {
    let deadline = ContinuousClock.now + configuration.timeout
    let url: WebhookURL
    do {
      url = try WebhookURL(call.url, policy: policy)
    } catch {
      return .permanentFailure(detail: error.reason)
    }
    guard Self.isHeaderToken(call.webhookId) else {
      return .permanentFailure(detail: "the webhook id is not 1 to 256 visible ASCII characters")
    }
    let secrets: [WebhookSecret]
    do {
      secrets = try call.secrets.map { secret throws(WebhookSecretError) in
        try WebhookSecret(secret)
      }
    } catch {
      return .permanentFailure(detail: "a signing secret is invalid: \(error.reason)")
    }
    guard !secrets.isEmpty else {
      return .permanentFailure(detail: "the endpoint has no signing secret")
    }

    let endpoint = "\(url.host.lowercased()):\(url.port)"
    do {
      try await withDeadline(deadline, abandon: { slots.release(endpoint) }) { [slots] in
        try await slots.acquire(endpoint)
      }
    } catch {
      return .temporaryFailure(
        detail: error is DeadlineExceeded
          ? "timed out after \(spoken(configuration.timeout)) waiting for a turn: "
            + "\(slots.limit) calls to \(endpoint) already in flight"
          : "cancelled while waiting for a turn",
        retryAfter: nil)
    }
    defer { slots.release(endpoint) }

    let address: IPAddress
    switch await checkedAddress(of: url, deadline: deadline) {
    case .success(let checked): address = checked
    case .failure(let refusal): return refusal.result
    }

    let key = PinnedClientCache<HTTPClient>.Key(host: url.host, address: address.description)
    guard let (client, evicted) = clients.checkout(key) else {
      return .temporaryFailure(detail: "the webhook channel is shut down", retryAfter: nil)
    }
    for old in evicted { try? await old.shutdown() }
    let result = await send(call, to: url, secrets: secrets, with: client, deadline: deadline)
    if let retired = clients.checkin(key, client) { try? await retired.shutdown() }
    return result
  }

  /// A result that ends the attempt before any request.
  private struct Refusal: Error {
    var result: DeliveryResult
  }

  /// The address to connect to: the URL's own IP address (checked with the URL), or the first
  /// the name resolves to, provided that every one it resolves to is allowed.
  private func checkedAddress(of url: WebhookURL, deadline: ContinuousClock.Instant) async
    -> Result<IPAddress, Refusal>
  {
    if let literal = IPAddress(url.host) { return .success(literal) }
    let host = url.host
    let addresses: [IPAddress]
    do {
      addresses = try await withDeadline(deadline) { [resolver] in
        try await resolver.addresses(of: host)
      }
    } catch {
      let detail =
        switch error {
        case is DeadlineExceeded:
          "timed out after \(spoken(configuration.timeout)) resolving \(host)"
        case let error as HostResolutionError: error.description
        case is CancellationError: "cancelled while resolving \(host)"
        default: "\(host) does not resolve: \(error)"
        }
      return .failure(Refusal(result: .temporaryFailure(detail: detail, retryAfter: nil)))
    }
    guard let first = addresses.first else {
      return .failure(
        Refusal(
          result: .temporaryFailure(detail: "\(host) resolves to no address", retryAfter: nil)))
    }
    for address in addresses {
      if let scope = policy.refusal(of: address) {
        return .failure(
          Refusal(
            result: .permanentFailure(
              detail: "\(host) resolves to a private address (\(address), \(scope)), not allowed")))
      }
    }
    return .success(first)
  }

  private func send(
    _ call: WebhookCall, to url: WebhookURL, secrets: [WebhookSecret], with client: HTTPClient,
    deadline: ContinuousClock.Instant
  ) async -> DeliveryResult {
    let timestamp = Int64(Date().timeIntervalSince1970)
    var request = HTTPClientRequest(url: url.string)
    request.method = .POST
    request.headers.add(name: "content-type", value: "application/json")
    request.headers.add(name: "user-agent", value: Self.userAgent)
    request.headers.add(name: "webhook-id", value: call.webhookId)
    request.headers.add(name: "webhook-timestamp", value: String(timestamp))
    request.headers.add(
      name: "webhook-signature",
      value: WebhookSignature.header(
        id: call.webhookId, timestamp: timestamp, body: call.body, secrets: secrets))
    request.body = .bytes(ByteBuffer(bytes: call.body))

    let response: HTTPClientResponse
    do {
      response = try await client.execute(request, deadline: Self.nioDeadline(deadline))
    } catch {
      return .temporaryFailure(
        detail: WebhookTransportFailure.detail(error, timeout: configuration.timeout),
        retryAfter: nil)
    }
    let result = WebhookResponseOutcome.result(
      status: Int(response.status.code), retryAfter: response.headers.first(name: "retry-after"),
      now: Date())
    // Read what little the receiver says and drop it, so that the connection can serve the next
    // call; a longer or slower body is abandoned, which closes the connection instead.
    _ = try? await withDeadline(deadline) {
      var read = 0
      for try await chunk in response.body {
        read += chunk.readableBytes
        if read >= Self.responseBodyLimit { break }
      }
    }
    return result
  }

  /// Closes every cached client and its connections; later calls fail as temporary.
  public func shutdown() async {
    for client in clients.shutDown() { try? await client.shutdown() }
  }

  private static func isHeaderToken(_ value: String) -> Bool {
    (1...256).contains(value.utf8.count) && value.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7f }
  }

  private static func nioDeadline(_ deadline: ContinuousClock.Instant) -> NIODeadline {
    .now() + TimeAmount(deadline - ContinuousClock.now)
  }

  private func spoken(_ duration: Duration) -> String { WebhookTransportFailure.spoken(duration) }

  /// Calls in flight or waiting per endpoint, and clients kept (for tests).
  var trackedEndpoints: Int { slots.trackedEndpoints }
  var cachedClients: (kept: Int, retired: Int) { clients.counts }
}
