/// Keeps up to `limit` open sessions: hands an idle one out, lets the caller open a new one
/// while under the limit, else makes it wait for one given back. Does no I/O itself.
actor SMTPConnectionPool {
  enum Lease: Sendable {
    case reuse(SMTPSession)
    /// A slot is reserved: open a session, and `discard()` the slot if that fails.
    case open
    case shutDown
    case cancelled
  }

  private let limit: Int
  private var idle: [SMTPSession] = []
  /// Slots taken: idle, in use and being opened.
  private var taken = 0
  private var waiters: [(id: Int, continuation: CheckedContinuation<Lease, Never>)] = []
  private var nextWaiterID = 0
  private var isShutDown = false
  private var drainWaiters: [CheckedContinuation<Void, Never>] = []

  init(limit: Int) {
    self.limit = limit
  }

  /// Slots taken now (for tests).
  var takenCount: Int { taken }

  func lease() async -> Lease {
    if isShutDown { return .shutDown }
    while let session = idle.popLast() {
      if session.connection.isActive { return .reuse(session) }
      // Closed by the server while idle: forget it (its channel is already closed).
      taken -= 1
    }
    if taken < limit {
      taken += 1
      return .open
    }
    if Task.isCancelled { return .cancelled }
    let id = nextWaiterID
    nextWaiterID += 1
    return await withTaskCancellationHandler {
      await withCheckedContinuation { continuation in
        waiters.append((id, continuation))
      }
    } onCancel: {
      Task { await self.cancelWaiter(id) }
    }
  }

  /// Takes `session` back for reuse; false when the pool is shutting down and the caller is to
  /// quit it and `discard()` its slot.
  func giveBack(_ session: SMTPSession) -> Bool {
    if isShutDown { return false }
    if !waiters.isEmpty {
      waiters.removeFirst().continuation.resume(returning: .reuse(session))
    } else {
      idle.append(session)
    }
    return true
  }

  /// Frees the slot of a session that was closed or never opened.
  func discard() {
    taken -= 1
    if !isShutDown, !waiters.isEmpty {
      taken += 1
      waiters.removeFirst().continuation.resume(returning: .open)
    }
    if isShutDown && taken == 0 {
      for waiter in drainWaiters { waiter.resume() }
      drainWaiters = []
    }
  }

  /// Refuses new leases, wakes every waiter with `.shutDown` and returns the idle sessions for
  /// the caller to quit (it then `discard()`s each).
  func beginShutdown() -> [SMTPSession] {
    isShutDown = true
    for waiter in waiters { waiter.continuation.resume(returning: .shutDown) }
    waiters = []
    let sessions = idle
    idle = []
    return sessions
  }

  /// Returns once every slot is free (sessions in use finish their transaction first).
  func drained() async {
    guard taken > 0 else { return }
    await withCheckedContinuation { drainWaiters.append($0) }
  }

  private func cancelWaiter(_ id: Int) {
    guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
    waiters.remove(at: index).continuation.resume(returning: .cancelled)
  }
}
