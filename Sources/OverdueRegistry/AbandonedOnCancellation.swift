import Synchronization

/// Runs `work` in a task of its own and waits for it, but no longer than until the caller is
/// cancelled (or `after`, when given): then nil, and the work is left to finish alone, its result
/// dropped. For work that does not stop when cancelled (a socket read on an event loop), so that
/// shutdown is not held by a peer that never answers.
func abandonedOnCancellation<T: Sendable>(
  after limit: Duration? = nil, _ work: @escaping @Sendable () async -> T
) async -> T? {
  let answer = OnceAnswer<T>()
  return await withTaskCancellationHandler {
    await withCheckedContinuation { continuation in
      answer.wait(continuation)
      Task { answer.give(await work()) }
      if let limit {
        Task {
          try? await Task.sleep(for: limit)
          answer.give(nil)
        }
      }
      if Task.isCancelled { answer.give(nil) }
    }
  } onCancel: {
    answer.give(nil)
  }
}

/// The first answer given resumes the waiter; later ones (and any before it waits) are dropped
/// or kept for it.
private final class OnceAnswer<T: Sendable>: Sendable {
  private let state = Mutex<(waiter: CheckedContinuation<T?, Never>?, early: T??)>((nil, nil))

  func wait(_ continuation: CheckedContinuation<T?, Never>) {
    let early = state.withLock { state -> T?? in
      if let early = state.early { return early }
      state.waiter = continuation
      return nil
    }
    if let early { continuation.resume(returning: early) }
  }

  func give(_ value: T?) {
    let waiter = state.withLock { state -> CheckedContinuation<T?, Never>? in
      guard let waiter = state.waiter else {
        if state.early == nil { state.early = .some(value) }
        return nil
      }
      state.waiter = nil
      state.early = .some(nil)  // answered: later answers are dropped
      return waiter
    }
    waiter?.resume(returning: value)
  }
}
