import Synchronization

/// One call the server is running, as its interceptors see it (a task local set by
/// `CallSupervisor`): why it was ended, if it was, and the way to run its handler so that ending
/// the call cancels the handler's task. Only the handler is cancelled, never the task that writes
/// the call's final status, so an ended call still closes its stream with a status.
final class RunningCall: Sendable {
  /// Why a call was ended; the first reason given wins.
  enum Ending: UInt8, Sendable {
    case running = 0
    /// The client reset the stream, timed out, or its connection went away.
    case clientLeft
    /// The call ran past the server's time limit.
    case timeLimit
    /// The server is shutting down.
    case shutdown
  }

  @TaskLocal static var current: RunningCall?

  /// The server's time limit for the call (nil for long-lived streams).
  let limit: Duration?
  private let ending = Atomic<UInt8>(Ending.running.rawValue)
  private let handler = Mutex(HandlerState.notStarted)

  private enum HandlerState {
    case notStarted
    case running
    case waiting(CheckedContinuation<Void, Never>)
    case over
  }

  init(limit: Duration?) {
    self.limit = limit
  }

  var endedBy: Ending { Ending(rawValue: ending.load(ordering: .acquiring)) ?? .running }

  /// Ends the call for `reason`: its handler, if running, is cancelled. The first reason wins.
  func end(_ reason: Ending) {
    guard
      ending.compareExchange(
        expected: Ending.running.rawValue, desired: reason.rawValue,
        ordering: .acquiringAndReleasing
      ).exchanged
    else { return }
    stopWaiting()
  }

  /// Runs the handler in a child task that is cancelled when the call is ended, and returns (or
  /// throws) what the handler did. A call ended before its handler starts never runs it.
  func runHandler<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
    guard endedBy == .running else { throw CancellationError() }
    let outcome = HandlerOutcome<T>()
    handler.withLock { $0 = .running }
    await withTaskGroup(of: Void.self) { group in
      group.addTask {
        outcome.set(await Result { try await body() })
        self.stopWaiting()
      }
      await withCheckedContinuation { continuation in
        let over = handler.withLock { state in
          guard case .running = state else { return true }
          state = .waiting(continuation)
          return false
        }
        if over { continuation.resume() }
      }
      group.cancelAll()
    }
    return try outcome.get()
  }

  /// The handler finished or the call was ended: the waiting `runHandler` goes on.
  private func stopWaiting() {
    let waiting = handler.withLock { state -> CheckedContinuation<Void, Never>? in
      defer { state = .over }
      if case .waiting(let continuation) = state { return continuation }
      return nil
    }
    waiting?.resume()
  }
}

/// What a handler came to, once it has.
private final class HandlerOutcome<T: Sendable>: Sendable {
  private let result = Mutex<Result<T, any Error>?>(nil)

  func set(_ value: Result<T, any Error>) { result.withLock { $0 = value } }
  /// The handler's result; only called once the handler's task has ended.
  func get() throws -> T { try result.withLock { $0! }.get() }
}

extension Result where Failure == any Error {
  fileprivate init(_ body: () async throws -> Success) async {
    do {
      self = .success(try await body())
    } catch {
      self = .failure(error)
    }
  }
}
