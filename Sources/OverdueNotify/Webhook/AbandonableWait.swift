import NIOCore
import Synchronization

/// Awaits a future, but stops waiting at once when the waiting task is cancelled (the work
/// behind the future, e.g. a blocking `getaddrinfo`, cannot be interrupted and runs on).
final class AbandonableWait<Value: Sendable>: Sendable {
  private enum State {
    case idle
    case waiting(CheckedContinuation<Value, any Error>)
    case done
  }

  private let state = Mutex<State>(.idle)

  private init() {}

  static func value(of future: EventLoopFuture<Value>) async throws -> Value {
    let wait = AbandonableWait()
    return try await withTaskCancellationHandler {
      try await withCheckedThrowingContinuation { continuation in
        guard wait.park(continuation) else {
          continuation.resume(throwing: CancellationError())
          return
        }
        future.whenComplete { wait.finish($0) }
      }
    } onCancel: {
      wait.finish(.failure(CancellationError()))
    }
  }

  /// False when cancellation came first.
  private func park(_ continuation: CheckedContinuation<Value, any Error>) -> Bool {
    state.withLock {
      guard case .idle = $0 else { return false }
      $0 = .waiting(continuation)
      return true
    }
  }

  private func finish(_ result: Result<Value, any Error>) {
    let continuation: CheckedContinuation<Value, any Error>? = state.withLock {
      let current = $0
      $0 = .done
      if case .waiting(let continuation) = current { return continuation }
      return nil
    }
    continuation?.resume(with: result)
  }
}
