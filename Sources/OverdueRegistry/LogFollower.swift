public import Logging
import OverdueCore
public import OverdueStore
public import ServiceLifecycle
import Synchronization

/// The one projector of the process: applies committed events to the read model as they commit
/// (woken by the writer, with a timer as a safety net), and wakes the callers waiting to read at
/// least some sequence. Nothing else projects, so projection passes never overlap.
public final class LogFollower: Service, Sendable {
  public let projector: Projector
  public let readModel: ReadModel
  public let blocking: BlockingWork
  /// How often the follower looks at the log when nobody woke it, and how often it gives up on
  /// waiters whose time is over.
  public let safetyInterval: Duration
  public let tick: Duration
  public let logger: Logger
  private let wakeups: AsyncStream<Void>
  private let wake: AsyncStream<Void>.Continuation
  private let waiters = Mutex(Waiters())

  private struct Waiters {
    var nextID = 0
    var waiting: [Int: Waiter] = [:]
  }

  private struct Waiter {
    let sequence: UInt64
    let deadline: ContinuousClock.Instant
    let continuation: CheckedContinuation<Bool, Never>
  }

  public init(
    projector: Projector, readModel: ReadModel, blocking: BlockingWork, logger: Logger,
    safetyInterval: Duration = .seconds(1), tick: Duration = .milliseconds(50)
  ) {
    self.projector = projector
    self.readModel = readModel
    self.blocking = blocking
    self.logger = logger
    self.safetyInterval = safetyInterval
    self.tick = tick
    (wakeups, wake) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
  }

  /// Asks the follower to look at the log now (a write has committed).
  public func logAdvanced() {
    pendingWake.store(true, ordering: .releasing)
    wake.yield()
  }

  /// Whether the read model reached `sequence` within `timeout`; false too if the task is cancelled.
  public func waitUntilApplied(_ sequence: UInt64, timeout: Duration) async -> Bool {
    guard readModel.position() < sequence else { return true }
    let id = waiters.withLock { waiters in
      defer { waiters.nextID += 1 }
      return waiters.nextID
    }
    let deadline = ContinuousClock.now + timeout
    return await withTaskCancellationHandler {
      await withCheckedContinuation { continuation in
        waiters.withLock {
          $0.waiting[id] = Waiter(
            sequence: sequence, deadline: deadline, continuation: continuation)
        }
        // Applied, or cancelled, before the waiter was registered: nobody else will resume it.
        if readModel.position() >= sequence || Task.isCancelled { resume(id, reached: nil) }
      }
    } onCancel: {
      resume(id, reached: false)
    }
  }

  /// Follows the log until graceful shutdown or cancellation.
  public func run() async {
    let ticker = Task { [wake, tick] in
      while !Task.isCancelled {
        try? await Task.sleep(for: tick)
        wake.yield()
      }
    }
    defer { ticker.cancel() }
    var lastPass = ContinuousClock.now - safetyInterval
    for await _ in wakeups.cancelOnGracefulShutdown() {
      if Task.isCancelled { break }
      let now = ContinuousClock.now
      let woken = pendingWake.exchange(false, ordering: .acquiringAndReleasing)
      // A waiter needs no pass of its own (an open watch stream always waits): every write here
      // wakes the follower, and the timer covers anything else.
      if woken || now - lastPass >= safetyInterval {
        lastPass = now
        do {
          try await blocking.run { () throws(RegistryError) in
            _ = try storageAccess { try self.projector.catchUp() }
          }
        } catch {
          logger.error(
            "projection failed", metadata: ["error": "\(error.underlying ?? "\(error)")"])
        }
      }
      settleWaiters(position: readModel.position(), now: .now)
    }
  }

  private let pendingWake = Atomic<Bool>(false)

  private func settleWaiters(position: UInt64, now: ContinuousClock.Instant) {
    let settled = waiters.withLock { waiters -> [(CheckedContinuation<Bool, Never>, Bool)] in
      var settled: [(CheckedContinuation<Bool, Never>, Bool)] = []
      for (id, waiter) in waiters.waiting
      where waiter.sequence <= position || waiter.deadline <= now {
        waiters.waiting[id] = nil
        settled.append((waiter.continuation, waiter.sequence <= position))
      }
      return settled
    }
    for (continuation, reached) in settled { continuation.resume(returning: reached) }
  }

  /// Resumes one waiter (nil: reached if the read model is that far now).
  private func resume(_ id: Int, reached: Bool?) {
    guard let waiter = waiters.withLock({ $0.waiting.removeValue(forKey: id) }) else { return }
    waiter.continuation.resume(returning: reached ?? (readModel.position() >= waiter.sequence))
  }
}
