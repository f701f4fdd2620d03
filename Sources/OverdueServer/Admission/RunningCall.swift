import Synchronization

/// One call the server is running, as its handler and the status mapping can see it: why its task
/// was cancelled, if it was. Set as a task local around the handler by `CallSupervisor`.
final class RunningCall: Sendable {
  /// Why a call's task was cancelled; the first reason given wins.
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

  init(limit: Duration?) {
    self.limit = limit
  }

  var endedBy: Ending { Ending(rawValue: ending.load(ordering: .acquiring)) ?? .running }

  /// Records why the call is being ended; false if it already had a reason.
  func end(_ reason: Ending) -> Bool {
    ending.compareExchange(
      expected: Ending.running.rawValue, desired: reason.rawValue, ordering: .acquiringAndReleasing
    ).exchanged
  }
}
