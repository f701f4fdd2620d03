import Synchronization

/// A doorbell for one waiting loop: `wake()` from anywhere, `wait(timeout:)` in the loop. A wake
/// while nobody waits is kept, so the next wait returns at once; many wakes count as one.
final class Wakeup: Sendable {
  private struct State {
    var rung = false
    var waiter: CheckedContinuation<Void, Never>?
    var generation = 0
    var timer: Task<Void, Never>?
  }
  private let state = Mutex(State())

  func wake() {
    let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
      guard let waiter = state.waiter else {
        state.rung = true
        return nil
      }
      state.waiter = nil
      state.timer?.cancel()
      state.timer = nil
      return waiter
    }
    waiter?.resume()
  }

  /// Returns when woken, after `timeout`, or when the task is cancelled.
  func wait(timeout: Duration) async {
    let generation = state.withLock { state -> Int? in
      if state.rung {
        state.rung = false
        return nil
      }
      state.generation += 1
      return state.generation
    }
    guard let generation else { return }
    await withTaskCancellationHandler {
      await withCheckedContinuation { continuation in
        let resumeNow = state.withLock { state -> Bool in
          // A wake between the two locks was kept as `rung`: take it now instead of sleeping.
          if state.rung {
            state.rung = false
            return true
          }
          guard state.generation == generation, !Task.isCancelled else { return true }
          state.waiter = continuation
          state.timer = Task {
            try? await Task.sleep(for: timeout)
            self.release(generation)
          }
          return false
        }
        if resumeNow { continuation.resume() }
      }
    } onCancel: {
      release(generation)
    }
  }

  /// Resumes the waiter of `generation`, if it is still waiting.
  private func release(_ generation: Int) {
    let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
      guard state.generation == generation, let waiter = state.waiter else { return nil }
      state.waiter = nil
      state.timer?.cancel()
      state.timer = nil
      return waiter
    }
    waiter?.resume()
  }
}
