import Synchronization

/// Bounds the calls in flight to each endpoint; calls beyond the bound wait their turn in
/// order. Endpoints with nothing in flight are forgotten, so the table stays small.
final class EndpointSlots: Sendable {
  private struct Waiter {
    var id: UInt64
    var continuation: CheckedContinuation<Void, any Error>
  }

  private struct Endpoint {
    var inFlight = 0
    var waiters: [Waiter] = []
  }

  private struct State {
    var endpoints: [String: Endpoint] = [:]
    var nextWaiter: UInt64 = 0
  }

  let limit: Int
  private let state = Mutex(State())

  init(limit: Int) {
    precondition(limit > 0, "a limit of calls in flight is at least 1")
    self.limit = limit
  }

  /// Waits for a slot to `endpoint`; throws `CancellationError` when cancelled while waiting.
  /// Every successful acquire is paired with one `release`.
  func acquire(_ endpoint: String) async throws {
    let id = state.withLock { state in
      defer { state.nextWaiter += 1 }
      return state.nextWaiter
    }
    try await withTaskCancellationHandler {
      try await withCheckedThrowingContinuation {
        (continuation: CheckedContinuation<Void, any Error>) in
        enum Outcome { case granted, cancelled, queued }
        let outcome: Outcome = state.withLock { state in
          var entry = state.endpoints[endpoint, default: Endpoint()]
          defer { state.endpoints[endpoint] = entry }
          if entry.inFlight < limit {
            entry.inFlight += 1
            return .granted
          }
          // Checked under the lock: a cancellation handler that ran before this saw no waiter.
          if Task.isCancelled { return .cancelled }
          entry.waiters.append(Waiter(id: id, continuation: continuation))
          return .queued
        }
        switch outcome {
        case .granted: continuation.resume()
        case .cancelled: continuation.resume(throwing: CancellationError())
        case .queued: break
        }
      }
    } onCancel: {
      let waiter: Waiter? = state.withLock { state in
        guard var entry = state.endpoints[endpoint],
          let index = entry.waiters.firstIndex(where: { $0.id == id })
        else { return nil }
        let waiter = entry.waiters.remove(at: index)
        state.endpoints[endpoint] = entry
        return waiter
      }
      waiter?.continuation.resume(throwing: CancellationError())
    }
  }

  /// Gives the slot to the next waiter, or frees it.
  func release(_ endpoint: String) {
    let next: Waiter? = state.withLock { state in
      guard var entry = state.endpoints[endpoint] else {
        preconditionFailure("release without acquire")
      }
      if entry.waiters.isEmpty {
        entry.inFlight -= 1
        state.endpoints[endpoint] = entry.inFlight == 0 ? nil : entry
        return nil
      }
      let next = entry.waiters.removeFirst()
      state.endpoints[endpoint] = entry
      return next
    }
    next?.continuation.resume()
  }

  /// Endpoints with calls in flight or waiting (for tests).
  var trackedEndpoints: Int { state.withLock { $0.endpoints.count } }
}
