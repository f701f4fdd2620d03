import Foundation
import GRPCCore
import GRPCProtobuf
import OverdueAPI
import OverdueClient
import OverdueFixtures
import OverdueRegistry
import OverdueServer
import Testing

@Suite("End to end over TLS: rate limits, load shedding, call time limits")
struct AdmissionTests {
  func check(_ connection: RegistryConnection, minSequence: UInt64 = 0, timeout: Duration? = nil)
    async throws -> Overdue_V1_PartyReport
  {
    try await connection.withClients {
      var options = CallOptions.defaults
      options.timeout = timeout
      return try await $0.lookup.checkParty(
        Requests.check(minSequence: minSequence), options: options)
    }
  }

  @Test func callsBeyondTheRateAreRefusedWithRetryInfo() async throws {
    // Two calls at once, then one every 100 s: the third call is over the rate however slow
    // the machine is.
    try await TestRegistry.with(configure: {
      $0.limits.publicRate = CallRate(perSecond: 0.01, burst: 2)
    }) { registry in
      var impatient = registry.publicConnection
      impatient.retriesRateLimitedCalls = false
      _ = try await check(impatient)
      _ = try await check(impatient)
      let refusal = await expectRPCError { _ = try await check(impatient) }
      #expect(refusal?.0.code == .resourceExhausted)
      let retryInfo = refusal?.1?.details.compactMap(\.retryInfo).first
      #expect(retryInfo.map { $0.delay > .zero && $0.delay <= .seconds(100) } == true)
      let pushback = refusal?.0.metadata[stringValues: "grpc-retry-pushback-ms"]
      #expect(pushback?.first(where: { _ in true }).flatMap { Int($0) }.map { $0 > 0 } == true)
    }
  }

  @Test func theClientWaitsAsAskedAndGetsItsAnswer() async throws {
    // One call at once, then one every 500 ms: three calls are answered, and the client must have
    // waited as the refusals asked (at least 2 × 500 ms), which it would not without the limiter.
    try await TestRegistry.with(configure: {
      $0.limits.publicRate = CallRate(perSecond: 2, burst: 1)
    }) { registry in
      let started = ContinuousClock.now
      for _ in 0..<3 {
        let report = try await check(registry.publicConnection)
        #expect(report.status == .clear)
      }
      #expect(ContinuousClock.now - started >= .milliseconds(900))
    }
  }

  @Test func beyondTheInFlightCapNewCallsGetUnavailableAtOnce() async throws {
    try await TestRegistry.with(configure: {
      $0.limits.maxCallsInFlight = 1
      $0.readYourWritesWait = .seconds(2)
    }) { registry in
      // A call waiting (2 s) for a sequence the registry will never reach holds the one slot, and
      // a check made meanwhile is shed. The waiting call can lose the race to the check (and be
      // the one shed), so the attempt is repeated until the waiting call was in first.
      var shed: RPCError?
      var waited: RPCError?
      for _ in 0..<5 where shed == nil {
        let waiting = Task {
          await expectRPCError {
            _ = try await check(registry.publicConnection, minSequence: 1_000_000)
          }?.0
        }
        try await Task.sleep(for: .milliseconds(300))
        shed = await expectRPCError { _ = try await check(registry.publicConnection) }?.0
        waited = await waiting.value
      }
      #expect(shed?.code == .unavailable)
      #expect(shed?.message.contains("capacity") == true)
      #expect(waited?.code == .unavailable)
      #expect(waited?.message.contains("not yet reached sequence") == true)
      #expect(try await check(registry.publicConnection).status == .clear)
    }
  }

  @Test func aCallIsCutOffAtTheServersLimitWhateverDeadlineItBrings() async throws {
    // The registry would wait 300 ms for the sequence; its call limit is 100 ms.
    try await TestRegistry.with(configure: { $0.limits.callTimeLimit = .milliseconds(100) }) {
      registry in
      let deadlines: [Duration?] = [nil, .seconds(5), .seconds(365 * 86_400)]
      for clientDeadline in deadlines {
        let capped = await expectRPCError {
          _ = try await check(
            registry.publicConnection, minSequence: 1_000_000, timeout: clientDeadline)
        }
        #expect(capped?.0.code == .deadlineExceeded)
        #expect(capped?.0.message.contains("server's limit") == true)
      }
      // The call's place is given back: the next check is served.
      let report = try await check(registry.publicConnection)
      #expect(report.status == .clear)
    }
  }

  /// The transport (grpc-swift-nio-transport 2.9.2) resets the stream of a message over its
  /// limit before any handler sees it, so the caller gets UNAVAILABLE rather than
  /// RESOURCE_EXHAUSTED; the server goes on serving.
  @Test func aMessageOverTheSizeLimitIsRefusedBeforeAnyHandler() async throws {
    try await TestRegistry.with(configure: { $0.limits.publicMaxRequestBytes = 64 << 10 }) {
      registry in
      let refusal = await expectRPCError {
        _ = try await registry.publicConnection.withClients {
          try await $0.lookup.checkParty(Requests.check(String(repeating: "X", count: 100 << 10)))
        }
      }
      #expect(refusal?.0.code == .unavailable)
      let report = try await check(registry.publicConnection)
      #expect(report.status == .clear)
    }
  }
}
