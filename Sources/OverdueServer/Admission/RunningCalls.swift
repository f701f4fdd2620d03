import ServiceLifecycle
import Synchronization

/// Every call running on the server: ended at the server's
/// time limit by one watch task (`run`, looking every `tick`: one timer for all calls, where a
/// timer per call cost unary checks nearly half their throughput), when its client leaves, and
/// at shutdown (streams at once, everything else when the grace period is over).
final class RunningCalls: Service, Sendable {
  /// How often `run` looks: a call ends between its deadline and one tick later.
  let tick: Duration
  private let state = Mutex(State())

  private struct State {
    var nextID = 0
    var calls: [Int: Entry] = [:]
    var shuttingDown = false
  }

  private struct Entry {
    let call: RunningCall
    let deadline: ContinuousClock.Instant?
    let isStream: Bool
  }

  init(tick: Duration) {
    self.tick = tick
  }

  /// Adds a call; a stream that arrives during shutdown is ended at once.
  func add(_ call: RunningCall, deadline: ContinuousClock.Instant?, isStream: Bool) -> Int {
    let (id, endNow) = state.withLock { state in
      defer { state.nextID += 1 }
      state.calls[state.nextID] = Entry(call: call, deadline: deadline, isStream: isStream)
      return (state.nextID, state.shuttingDown && isStream)
    }
    if endNow { call.end(.shutdown) }
    return id
  }

  /// Forgets a call that has ended.
  func remove(_ id: Int) {
    _ = state.withLock { $0.calls.removeValue(forKey: id) }
  }

  /// The client of a call went away. During shutdown the transport reports every call this way,
  /// so then only streams are ended; unary calls are let finish.
  func clientLeft(_ id: Int) {
    let entry = state.withLock { state -> Entry? in
      guard let entry = state.calls[id], !state.shuttingDown || entry.isStream else { return nil }
      return entry
    }
    entry?.call.end(.clientLeft)
  }

  /// Shutdown has begun: streams are told to end now; unary calls run on.
  func beginShutdown() {
    end(reason: .shutdown) { state in
      state.shuttingDown = true
      return state.calls.values.filter(\.isStream)
    }
  }

  /// The grace period is over: whatever still runs is cancelled.
  func cancelAll() {
    end(reason: .shutdown) { state in
      state.shuttingDown = true
      return Array(state.calls.values)
    }
  }

  /// Calls running now.
  var count: Int { state.withLock { $0.calls.count } }

  /// Ends the calls past their deadline, every `tick`, until graceful shutdown or cancellation.
  func run() async {
    for await _ in TickSequence(tick: tick).cancelOnGracefulShutdown() {
      let now = ContinuousClock.now
      end(reason: .timeLimit) { state in
        state.calls.values.filter { entry in entry.deadline.map { $0 <= now } ?? false }
      }
    }
  }

  private func end(reason: RunningCall.Ending, _ select: (inout State) -> [Entry]) {
    let chosen = state.withLock { select(&$0) }
    for entry in chosen { entry.call.end(reason) }
  }
}

/// Yields every `tick` until the iterating task is cancelled.
private struct TickSequence: AsyncSequence, Sendable {
  let tick: Duration

  struct AsyncIterator: AsyncIteratorProtocol {
    let tick: Duration

    mutating func next() async -> Void? {
      do {
        try await Task.sleep(for: tick)
        return ()
      } catch {
        return nil
      }
    }
  }

  func makeAsyncIterator() -> AsyncIterator { AsyncIterator(tick: tick) }
}
