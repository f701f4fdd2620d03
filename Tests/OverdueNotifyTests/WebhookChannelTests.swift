import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import Testing

@testable import OverdueNotify

@Suite("The webhook channel against a real HTTPS receiver")
struct WebhookChannelTests {
  let secret = WebhookSecret.generate()
  let body = Data(
    #"{"type":"listing.published","timestamp":"2026-11-23T12:00:00Z","data":{}}"#.utf8)

  func call(_ url: String, id: String = "msg_\(UUID().uuidString)", secrets: [String]? = nil)
    -> WebhookCall
  {
    WebhookCall(webhookId: id, url: url, secrets: secrets ?? [secret.encoded], body: body)
  }

  /// A channel that trusts the receiver's CA and may call loopback.
  func channel(
    for receiver: WebhookTestReceiver, resolver: (any HostResolver)? = nil,
    _ configure: (inout WebhookConfiguration) -> Void = { _ in }
  ) throws -> WebhookChannel {
    let configuration = WebhookConfiguration.defaults {
      $0.allowPrivate = true
      $0.extraTrustRootsPEMFile = receiver.caFile
      configure(&$0)
    }
    return try WebhookChannel(
      configuration: configuration, resolver: resolver ?? SystemHostResolver())
  }

  /// Runs `body` with a channel, and shuts the channel down whatever happens.
  func with<T>(_ channel: WebhookChannel, _ body: (WebhookChannel) async throws -> T)
    async throws -> T
  {
    do {
      let value = try await body(channel)
      await channel.shutdown()
      return value
    } catch {
      await channel.shutdown()
      throw error
    }
  }

  @Test func aSignedCallIsDeliveredWithEveryHeader() async throws {
    try await WebhookTestReceiver.with([.status(204)]) { receiver in
      try await with(try channel(for: receiver)) { channel in
        let previous = WebhookSecret.generate()
        let sent = call(receiver.url(), secrets: [secret.encoded, previous.encoded])
        let before = Int64(Date().timeIntervalSince1970)
        #expect(await channel.deliver(sent) == .delivered(detail: "HTTP 204"))
        let request = try #require(receiver.log.requests.only)
        #expect(request.method == .POST)
        #expect(request.uri == "/hooks")
        #expect(request.body == body)
        #expect(request.headers["content-type"] == ["application/json"])
        #expect(request.headers["user-agent"] == ["Overdue-Webhooks/1"])
        #expect(request.headers["host"] == ["127.0.0.1:\(receiver.port)"])
        #expect(request.headers["webhook-id"] == [sent.webhookId])
        let timestamp = try #require(
          request.headers.first(name: "webhook-timestamp").flatMap(Int64.init))
        #expect((before - 1...before + 5).contains(timestamp))
        let signature = try #require(request.headers.first(name: "webhook-signature"))
        #expect(signature.split(separator: " ").count == 2)
        for key in [secret, previous] {
          #expect(
            WebhookSignature.verify(
              header: signature, id: sent.webhookId, timestamp: timestamp, body: request.body,
              secret: key))
        }
      }
    }
  }

  @Test func aServerErrorIsTemporaryAndTheRetryKeepsTheIdOnOneConnection() async throws {
    try await WebhookTestReceiver.with([.status(500), .status(200)]) { receiver in
      try await with(try channel(for: receiver)) { channel in
        let sent = call(receiver.url())
        #expect(
          await channel.deliver(sent) == .temporaryFailure(detail: "HTTP 500", retryAfter: nil))
        #expect(await channel.deliver(sent) == .delivered(detail: "HTTP 200"))
        let requests = receiver.log.requests
        #expect(requests.count == 2)
        #expect(requests.map { $0.headers["webhook-id"] } == [[sent.webhookId], [sent.webhookId]])
        for request in requests {
          let timestamp = try #require(
            request.headers.first(name: "webhook-timestamp").flatMap(Int64.init))
          #expect(
            WebhookSignature.verify(
              header: request.headers.first(name: "webhook-signature") ?? "",
              id: sent.webhookId, timestamp: timestamp, body: request.body, secret: secret))
        }
        // The second attempt reused the first one's connection (one cached client).
        #expect(receiver.log.connections == 1)
        #expect(channel.cachedClients == (kept: 1, retired: 0))
      }
    }
  }

  @Test func goneIsGone() async throws {
    try await WebhookTestReceiver.with([.status(410)]) { receiver in
      try await with(try channel(for: receiver)) { channel in
        #expect(await channel.deliver(call(receiver.url())) == .gone(detail: "HTTP 410"))
      }
    }
  }

  @Test func tooManyRequestsCarriesRetryAfter() async throws {
    try await WebhookTestReceiver.with([.status(429, headers: [("Retry-After", "7")])]) {
      receiver in
      try await with(try channel(for: receiver)) { channel in
        #expect(
          await channel.deliver(call(receiver.url()))
            == .temporaryFailure(detail: "HTTP 429", retryAfter: .seconds(7)))
      }
    }
  }

  @Test func aRedirectIsRefusedAndItsLocationNeverFetched() async throws {
    try await WebhookTestReceiver.with([]) { receiver in
      let redirect = WebhookTestReceiver.Reply.status(
        302, headers: [("Location", receiver.url("/elsewhere"))])
      try await WebhookTestReceiver.with([redirect]) { redirecting in
        try await with(try channel(for: redirecting)) { channel in
          #expect(
            await channel.deliver(call(redirecting.url()))
              == .permanentFailure(detail: "HTTP 302: redirects are not followed"))
          try await Task.sleep(for: .milliseconds(100))
          #expect(redirecting.log.requests.map(\.uri) == ["/hooks"])
        }
      }
      // The Location (on another receiver) was never called either.
      #expect(receiver.log.requests.isEmpty)
      #expect(receiver.log.connections == 0)
    }
  }

  @Test func aReceiverThatNeverAnswersTimesOut() async throws {
    try await WebhookTestReceiver.with(otherwise: .silent) { receiver in
      // 3 s, so that even a loaded machine gets the request there before the time is up (the
      // tests run in parallel on two cores); the bound is what is tested, not its precision.
      try await with(try channel(for: receiver) { $0.timeout = .seconds(3) }) { channel in
        let start = ContinuousClock.now
        let result = await channel.deliver(call(receiver.url()))
        let elapsed = ContinuousClock.now - start
        guard case .temporaryFailure(let detail, nil) = result else {
          Issue.record("expected a temporary failure, got \(result)")
          return
        }
        #expect(detail.contains("timed out after 3 s"), "\(detail)")
        #expect(elapsed < .seconds(10))
        #expect(receiver.log.requests.count <= 1)
      }
    }
  }

  @Test func loopbackIsRefusedWithoutAnyConnectionUnlessAllowed() async throws {
    try await WebhookTestReceiver.with { receiver in
      try await with(try channel(for: receiver) { $0.allowPrivate = false }) { channel in
        let literal = await channel.deliver(call(receiver.url()))
        #expect(
          literal
            == .permanentFailure(detail: "127.0.0.1 is a private address (loopback), not allowed"))
        // A name is resolved first, and refused for what it resolves to.
        let named = await channel.deliver(call(receiver.url(host: "localhost")))
        guard case .permanentFailure(let detail) = named else {
          Issue.record("expected a permanent failure, got \(named)")
          return
        }
        #expect(detail.hasPrefix("localhost resolves to a private address ("), "\(detail)")
        #expect(receiver.log.connections == 0)
        #expect(channel.cachedClients == (kept: 0, retired: 0))
      }
    }
  }

  @Test func everyResolvedAddressIsCheckedNotJustTheFirst() async throws {
    let resolver = FixedResolver(["mixed.test": ["93.184.216.34", "10.0.0.7"]])
    try await WebhookTestReceiver.with { receiver in
      try await with(
        try channel(for: receiver, resolver: resolver) { $0.allowPrivate = false }
      ) { channel in
        #expect(
          await channel.deliver(call("https://mixed.test/hooks"))
            == .permanentFailure(
              detail: "mixed.test resolves to a private address (10.0.0.7, private), not allowed"))
      }
    }
  }

  @Test func theCallGoesToTheCheckedAddressButTLSAndHostKeepTheName() async throws {
    // `webhook.test` exists nowhere but in this resolver: reaching the receiver at all shows the
    // connection went to the checked address. Its certificate names `webhook.test` only (no IP
    // address, which NIOSSL would also accept), so a good handshake shows SNI and verification
    // used the name.
    let resolver = FixedResolver(["webhook.test": ["127.0.0.1"], "other.test": ["127.0.0.1"]])
    try await WebhookTestReceiver.with(dnsNames: ["webhook.test"], ipAddresses: []) { receiver in
      try await with(try channel(for: receiver, resolver: resolver)) { channel in
        #expect(
          await channel.deliver(call(receiver.url(host: "webhook.test")))
            == .delivered(detail: "HTTP 200"))
        #expect(receiver.log.requests.only?.headers["host"] == ["webhook.test:\(receiver.port)"])
        // The same address under a name the certificate does not carry fails the handshake.
        let result = await channel.deliver(call(receiver.url(host: "other.test")))
        guard case .temporaryFailure(let detail, nil) = result else {
          Issue.record("expected a temporary failure, got \(result)")
          return
        }
        #expect(detail.hasPrefix("TLS failed"), "\(detail)")
        #expect(receiver.log.requests.count == 1)
        #expect(channel.cachedClients == (kept: 2, retired: 0))
      }
    }
  }

  @Test func aReceiverOutsideTheTrustRootsFailsTheHandshake() async throws {
    try await WebhookTestReceiver.with { receiver in
      let untrusting = try WebhookChannel(
        configuration: .defaults { $0.allowPrivate = true }, resolver: SystemHostResolver())
      try await with(untrusting) { channel in
        let result = await channel.deliver(call(receiver.url()))
        guard case .temporaryFailure(let detail, nil) = result else {
          Issue.record("expected a temporary failure, got \(result)")
          return
        }
        #expect(detail.hasPrefix("TLS failed"), "\(detail)")
        #expect(receiver.log.requests.isEmpty)
      }
    }
  }

  @Test func aClosedPortIsATemporaryConnectionFailure() async throws {
    let closed = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .bind(host: "127.0.0.1", port: 0).get()
    let port = closed.localAddress!.port!
    try await closed.close()
    try await WebhookTestReceiver.with { receiver in
      try await with(try channel(for: receiver)) { channel in
        let result = await channel.deliver(call("https://127.0.0.1:\(port)/hooks"))
        guard case .temporaryFailure(let detail, nil) = result else {
          Issue.record("expected a temporary failure, got \(result)")
          return
        }
        #expect(detail.hasPrefix("connection failed"), "\(detail)")
      }
    }
  }

  @Test func aLargeResponseBodyIsNotReadToTheEnd() async throws {
    let large = String(repeating: "x", count: 1 << 20)
    try await WebhookTestReceiver.with([.status(200, body: large), .status(200)]) { receiver in
      try await with(try channel(for: receiver)) { channel in
        #expect(await channel.deliver(call(receiver.url())) == .delivered(detail: "HTTP 200"))
        #expect(await channel.deliver(call(receiver.url())) == .delivered(detail: "HTTP 200"))
        // The first connection was dropped after 64 KiB rather than read to the end.
        #expect(receiver.log.connections == 2)
      }
    }
  }

  @Test func concurrentCallsToOneEndpointStayWithinTheLimit() async throws {
    try await WebhookTestReceiver.with(otherwise: .status(200, delay: .milliseconds(150))) {
      receiver in
      try await with(try channel(for: receiver) { $0.maxConcurrentPerEndpoint = 3 }) { channel in
        let results = await withTaskGroup(of: DeliveryResult.self) { group in
          for _ in 0..<12 {
            group.addTask { await channel.deliver(call(receiver.url())) }
          }
          return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 12)
        #expect(results.allSatisfy { $0 == .delivered(detail: "HTTP 200") })
        #expect(receiver.log.requests.count == 12)
        #expect(receiver.log.maxInFlight <= 3)
        #expect(receiver.log.maxInFlight >= 2)
        #expect(channel.trackedEndpoints == 0)
      }
    }
  }

  @Test func invalidCallsAreRefusedBeforeAnyConnection() async throws {
    try await WebhookTestReceiver.with { receiver in
      try await with(try channel(for: receiver)) { channel in
        #expect(
          await channel.deliver(call("http://127.0.0.1:\(receiver.port)/"))
            == .permanentFailure(detail: "the URL must use https, not http"))
        #expect(
          await channel.deliver(call(receiver.url(), secrets: []))
            == .permanentFailure(detail: "the endpoint has no signing secret"))
        guard
          case .permanentFailure(let detail) = await channel.deliver(
            call(receiver.url(), secrets: ["whsec_AAAA"]))
        else {
          Issue.record("a short secret was accepted")
          return
        }
        #expect(detail.hasPrefix("a signing secret is invalid"))
        #expect(!detail.contains("AAAA"))
        #expect(
          await channel.deliver(call(receiver.url(), id: "msg 1\r\nx-injected: 1"))
            == .permanentFailure(detail: "the webhook id is not 1 to 256 visible ASCII characters"))
        #expect(receiver.log.connections == 0)
      }
    }
  }

  @Test func afterShutdownCallsFailAsTemporary() async throws {
    try await WebhookTestReceiver.with { receiver in
      let channel = try channel(for: receiver)
      #expect(await channel.deliver(call(receiver.url())) == .delivered(detail: "HTTP 200"))
      await channel.shutdown()
      #expect(
        await channel.deliver(call(receiver.url()))
          == .temporaryFailure(detail: "the webhook channel is shut down", retryAfter: nil))
      #expect(channel.cachedClients == (kept: 0, retired: 0))
    }
  }

  @Test func aBadTrustRootsFileIsAConfigurationError() {
    #expect(throws: WebhookConfigurationError.self) {
      try WebhookChannel(
        configuration: .defaults { $0.extraTrustRootsPEMFile = "/nonexistent.pem" })
    }
    #expect(throws: WebhookConfigurationError.self) {
      try WebhookChannel(configuration: .defaults { $0.maxConcurrentPerEndpoint = 0 })
    }
  }
}

/// A resolver with a fixed table, for names that exist nowhere else.
struct FixedResolver: HostResolver {
  let table: [String: [String]]
  init(_ table: [String: [String]]) { self.table = table }

  func addresses(of host: String) async throws -> [IPAddress] {
    guard let entries = table[host] else {
      throw HostResolutionError(host: host, message: "not in the test table")
    }
    return entries.compactMap(IPAddress.init)
  }
}

extension Array {
  /// The one element, or nil when there are none or several.
  fileprivate var only: Element? { count == 1 ? first : nil }
}
