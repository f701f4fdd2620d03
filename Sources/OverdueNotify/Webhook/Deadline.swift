/// The deadline passed before the work was done.
struct DeadlineExceeded: Error {}

/// Runs `operation` and cancels it at `deadline`, throwing `DeadlineExceeded` then. The
/// operation must end promptly when cancelled (this waits for it to); a value it still produces
/// after the deadline goes to `abandon` (e.g. to give back a slot it took).
func withDeadline<T: Sendable>(
  _ deadline: ContinuousClock.Instant,
  abandon: (T) -> Void = { _ in },
  _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
  try await withThrowingTaskGroup(of: T?.self) { group in
    group.addTask { try await operation() }
    group.addTask {
      try await Task.sleep(until: deadline, clock: .continuous)
      return nil
    }
    let first = await group.nextResult()!
    group.cancelAll()
    if case .success(let value?) = first { return value }
    while let late = await group.nextResult() {
      if case .success(let value?) = late { abandon(value) }
    }
    if case .failure(let error) = first { throw error }
    try Task.checkCancellation()
    throw DeadlineExceeded()
  }
}
