import Synchronization

/// The deadlines of the calls running under the server's time limit, watched by one task (`run`)
/// that looks every `tick`: one sleeping timer for all calls rather than one per call, which cost
/// unary checks a fifth of their throughput (a cancelled sleep's timer lingers until it is due).
final class CallDeadlines: Sendable {
  /// How often `run` looks: a call is cut off between its deadline and one tick later.
  let tick: Duration
  private let state = Mutex(State())

  private struct State {
    var nextID = 0
    var waits: [Int: Wait] = [:]
  }

  /// A wait is registered before it suspends, so a cancellation can come first.
  private enum Wait {
    case starting(ContinuousClock.Instant)
    case suspended(ContinuousClock.Instant, CheckedContinuation<Void, Never>)
    case cancelledBeforeSuspending
  }

  init(tick: Duration) {
    self.tick = tick
  }

  /// Returns once `deadline` has passed (within a tick) or the calling task is cancelled.
  func wait(until deadline: ContinuousClock.Instant) async {
    let id = state.withLock { state in
      defer { state.nextID += 1 }
      state.waits[state.nextID] = .starting(deadline)
      return state.nextID
    }
    await withTaskCancellationHandler {
      await withCheckedContinuation { continuation in
        let cancelled = state.withLock { state in
          guard case .starting = state.waits[id] else {
            state.waits[id] = nil
            return true
          }
          state.waits[id] = .suspended(deadline, continuation)
          return false
        }
        if cancelled { continuation.resume() }
      }
    } onCancel: {
      let continuation = state.withLock { state -> CheckedContinuation<Void, Never>? in
        switch state.waits[id] {
        case .starting:
          state.waits[id] = .cancelledBeforeSuspending
          return nil
        case .suspended(_, let continuation):
          state.waits[id] = nil
          return continuation
        case .cancelledBeforeSuspending, nil:
          return nil
        }
      }
      continuation?.resume()
    }
  }

  /// Waits not yet over: each ends by its deadline or its cancellation, and none is left behind.
  var waitCount: Int { state.withLock { $0.waits.count } }

  /// Wakes the waits whose deadline has passed, every `tick`, until the task is cancelled.
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
