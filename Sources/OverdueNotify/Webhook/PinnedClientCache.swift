import Synchronization

/// The HTTP clients for pinned connections, one per host and checked address (the client's
/// `dnsOverride` is fixed when it is made), so that calls to one endpoint reuse connections.
/// At most `capacity` are kept, the least recently used leaving first; a client that leaves
/// while calls still use it is shut down when the last of them gives it back.
final class PinnedClientCache<Client: AnyObject & Sendable>: Sendable {
  struct Key: Hashable, Sendable {
    var host: String
    var address: String
  }

  private struct Entry {
    var client: Client
    var leases: Int
    var lastUse: UInt64
  }

  private struct State {
    var entries: [Key: Entry] = [:]
    /// Evicted clients still in use, by identity, with their count of leases.
    var retired: [ObjectIdentifier: (client: Client, leases: Int)] = [:]
    var clock: UInt64 = 0
    var isShutDown = false
  }

  let capacity: Int
  private let makeClient: @Sendable (Key) -> Client
  private let state = Mutex(State())

  init(capacity: Int, makeClient: @escaping @Sendable (Key) -> Client) {
    precondition(capacity > 0, "a client cache holds at least one client")
    self.capacity = capacity
    self.makeClient = makeClient
  }

  /// A client for `key`, made if need be, and clients evicted to make room (to be shut down
  /// now); nil once the cache is shut down.
  func checkout(_ key: Key) -> (client: Client, evicted: [Client])? {
    state.withLock { state in
      guard !state.isShutDown else { return nil }
      state.clock += 1
      if var entry = state.entries[key] {
        entry.leases += 1
        entry.lastUse = state.clock
        state.entries[key] = entry
        return (entry.client, [])
      }
      let client = makeClient(key)
      state.entries[key] = Entry(client: client, leases: 1, lastUse: state.clock)
      var evicted: [Client] = []
      while state.entries.count > capacity,
        let oldest = state.entries.min(by: { $0.value.lastUse < $1.value.lastUse })
      {
        state.entries[oldest.key] = nil
        if oldest.value.leases == 0 {
          evicted.append(oldest.value.client)
        } else {
          state.retired[ObjectIdentifier(oldest.value.client)] = (
            oldest.value.client, oldest.value.leases
          )
        }
      }
      return (client, evicted)
    }
  }

  /// Gives back a client from `checkout`; returns it when it is to be shut down now.
  func checkin(_ key: Key, _ client: Client) -> Client? {
    state.withLock { state in
      if var entry = state.entries[key], entry.client === client {
        entry.leases -= 1
        state.entries[key] = entry
        return nil
      }
      let id = ObjectIdentifier(client)
      guard var retired = state.retired[id] else { return nil }  // shut down with the cache
      retired.leases -= 1
      if retired.leases > 0 {
        state.retired[id] = retired
        return nil
      }
      state.retired[id] = nil
      return client
    }
  }

  /// Every client, to be shut down; later checkouts get nothing.
  func shutDown() -> [Client] {
    state.withLock { state in
      state.isShutDown = true
      let all = state.entries.values.map(\.client) + state.retired.values.map(\.client)
      state.entries = [:]
      state.retired = [:]
      return all
    }
  }

  /// Clients kept, in use or idle, and clients evicted but still in use (for tests).
  var counts: (kept: Int, retired: Int) {
    state.withLock { ($0.entries.count, $0.retired.count) }
  }
}
