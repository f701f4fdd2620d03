import Synchronization
import Testing

@testable import OverdueNotify

@Suite("Webhook slots per endpoint, the pinned-client cache and deadlines")
struct WebhookInternalsTests {
  @Test func callsBeyondTheLimitWaitTheirTurn() async throws {
    let slots = EndpointSlots(limit: 2)
    try await slots.acquire("a:443")
    try await slots.acquire("a:443")
    try await slots.acquire("b:443")  // another endpoint has its own slots
    let third = Task { try await slots.acquire("a:443") }
    try await Task.sleep(for: .milliseconds(50))
    slots.release("a:443")
    try await third.value
    slots.release("a:443")
    slots.release("a:443")
    slots.release("b:443")
    #expect(slots.trackedEndpoints == 0)
  }

  @Test func aCancelledWaiterLeavesWithoutASlot() async throws {
    let slots = EndpointSlots(limit: 1)
    try await slots.acquire("a:443")
    let waiter = Task { try await slots.acquire("a:443") }
    try await Task.sleep(for: .milliseconds(50))
    waiter.cancel()
    await #expect(throws: CancellationError.self) { try await waiter.value }
    slots.release("a:443")
    #expect(slots.trackedEndpoints == 0)
  }

  @Test func aSlotTakenAfterTheDeadlineIsGivenBack() async throws {
    let slots = EndpointSlots(limit: 1)
    try await slots.acquire("a:443")
    await #expect(throws: DeadlineExceeded.self) {
      try await withDeadline(.now + .milliseconds(50), abandon: { slots.release("a:443") }) {
        try await slots.acquire("a:443")
      }
    }
    slots.release("a:443")
    #expect(slots.trackedEndpoints == 0)
  }

  @Test func aDeadlineLetsWorkThatIsOnTimeThrough() async throws {
    let value = try await withDeadline(.now + .seconds(5)) { 42 }
    #expect(value == 42)
    await #expect(throws: DeadlineExceeded.self) {
      try await withDeadline(.now + .milliseconds(20)) {
        try await Task.sleep(for: .seconds(30))
      }
    }
  }

  final class FakeClient: Sendable {
    let name: String
    init(_ name: String) { self.name = name }
  }

  @Test func theLeastRecentlyUsedIdleClientIsEvicted() throws {
    let made = Mutex(0)
    let cache = PinnedClientCache<FakeClient>(capacity: 2) { key in
      made.withLock { $0 += 1 }
      return FakeClient(key.host)
    }
    let a = PinnedClientCache<FakeClient>.Key(host: "a.test", address: "93.184.216.1")
    let b = PinnedClientCache<FakeClient>.Key(host: "b.test", address: "93.184.216.2")
    let c = PinnedClientCache<FakeClient>.Key(host: "c.test", address: "93.184.216.3")
    let clientA = try #require(cache.checkout(a)).client
    #expect(cache.checkin(a, clientA) == nil)
    let clientB = try #require(cache.checkout(b)).client
    #expect(cache.checkin(b, clientB) == nil)
    // Reused, not made again.
    #expect(try #require(cache.checkout(a)).client === clientA)
    #expect(cache.checkin(a, clientA) == nil)
    #expect(made.withLock { $0 } == 2)
    // b is now the least recently used: it makes room for c.
    let third = try #require(cache.checkout(c))
    #expect(third.evicted.map(\.name) == ["b.test"])
    #expect(cache.counts == (kept: 2, retired: 0))
    _ = cache.checkin(c, third.client)
  }

  @Test func aClientEvictedWhileInUseIsShutDownWhenGivenBack() throws {
    let cache = PinnedClientCache<FakeClient>(capacity: 1) { FakeClient($0.host) }
    let a = PinnedClientCache<FakeClient>.Key(host: "a.test", address: "93.184.216.1")
    let b = PinnedClientCache<FakeClient>.Key(host: "b.test", address: "93.184.216.2")
    let busy = try #require(cache.checkout(a)).client
    let other = try #require(cache.checkout(b))
    #expect(other.evicted.isEmpty)
    #expect(cache.counts == (kept: 1, retired: 1))
    #expect(cache.checkin(a, busy) === busy)
    #expect(cache.counts == (kept: 1, retired: 0))
    #expect(cache.shutDown().map(\.name) == ["b.test"])
    #expect(cache.checkout(a) == nil)
    #expect(cache.checkin(b, other.client) == nil)
  }
}

@Suite("Webhook transport failure details")
struct WebhookTransportFailureTests {
  @Test func durationsAreSpokenShortly() {
    #expect(WebhookTransportFailure.spoken(.seconds(15)) == "15 s")
    #expect(WebhookTransportFailure.spoken(.milliseconds(500)) == "500 ms")
    #expect(WebhookTransportFailure.spoken(.milliseconds(1500)) == "1500 ms")
  }

  @Test func timeoutsAndCancellationAreNamed() {
    #expect(
      WebhookTransportFailure.detail(DeadlineExceeded(), timeout: .seconds(15))
        == "timed out after 15 s")
    #expect(
      WebhookTransportFailure.detail(CancellationError(), timeout: .seconds(15)) == "cancelled")
  }
}
