import Synchronization

/// The deadlines of the calls running under the server's time limit, watched by one task (`run`)
/// that looks every `tick`: one sleeping timer for all calls rather than one per call (a cancelled
/// sleep's timer lingers until it is due, and with thousands of calls a second that cost unary
/// checks nearly half their throughput).
final class CallDeadlines: Sendable {
  /// How often `run` looks: a wait ends between its deadline and one tick later.
  let tick: Duration
  private let state = Mutex(State())

  private struct State {
    var nextID = 0
    var waits: [Int: Wait] = [:]
  }

  /// A wait is added before it suspends, so that `end` can come first.
  private enum Wait {
    case added(ContinuousClock.Instant)
    case suspended(ContinuousClock.Instant, CheckedContinuation<Void, Never>)
    case endedBeforeSuspending
  }

  init(tick: Duration) {
    self.tick = tick
  }

  /// Adds a wait that ends at `deadline`; pass its id to `wait` and `end`.
  func add(deadline: ContinuousClock.Instant) -> Int {
    state.withLock { state in
      defer { state.nextID += 1 }
      state.waits[state.nextID] = .added(deadline)
      return state.nextID
    }
  }

  /// Returns once the wait's deadline has passed (within a tick), `end` is called for it, or the
  /// calling task is cancelled.
  func wait(_ id: Int) async {
    await withTaskCancellationHandler {
      await withCheckedContinuation { continuation in
        let ended = state.withLock { state in
          guard case .added(let deadline) = state.waits[id] else {
            state.waits[id] = nil
            return true
          }
          state.waits[id] = .suspended(deadline, continuation)
          return false
        }
        if ended { continuation.resume() }
      }
    } onCancel: {
      end(id)
    }
  }

  /// Ends the wait now, or, if it has not suspended yet, makes it return at once.
  func end(_ id: Int) {
    let continuation = state.withLock { state -> CheckedContinuation<Void, Never>? in
      switch state.waits[id] {
      case .added:
        state.waits[id] = .endedBeforeSuspending
        return nil
      case .suspended(_, let continuation):
        state.waits[id] = nil
        return continuation
      case .endedBeforeSuspending, nil:
        return nil
      }
    }
    continuation?.resume()
  }

  /// Waits not yet over: each ends by its deadline, `end` or cancellation, and none is left behind.
  var waitCount: Int { state.withLock { $0.waits.count } }

  /// Ends the waits whose deadline has passed, every `tick`, until the task is cancelled.
  func run() async {
    while !Task.isCancelled {
      try? await Task.sleep(for: tick)
      let now = ContinuousClock.now
      let due = state.withLock { state in
        var due: [CheckedContinuation<Void, Never>] = []
        for (id, wait) in state.waits {
          guard case .suspended(let deadline, let continuation) = wait, deadline <= now else {
            continue
          }
          state.waits[id] = nil
          due.append(continuation)
        }
        return due
      }
      for continuation in due { continuation.resume() }
    }
  }
}
