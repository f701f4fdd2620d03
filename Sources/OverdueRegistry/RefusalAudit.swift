public import Logging
public import OverdueCore
public import OverdueStore
import Synchronization

/// Audits refused calls without letting a flood of them cost a synced write each: per actor, a few
/// refusals a second are written; the rest are counted, and the next row written for that actor
/// says how many were left out since the last one.
public final class RefusalAudit: Sendable {
  public let eventStore: EventStore
  public let logger: Logger
  private let rate: RateLimiter
  private let skipped = Mutex<[String: Int]>([:])

  public init(
    eventStore: EventStore, logger: Logger,
    rate: CallRate = CallRate(perSecond: 1, burst: 32)
  ) {
    self.eventStore = eventStore
    self.logger = logger
    self.rate = RateLimiter(rate: rate, maxPrincipals: 10_000)
  }

  /// Audits one refusal, or counts it when the actor's refusals are over the rate. A failure to
  /// write is logged, not thrown: the caller gets the refusal either way.
  public func record(
    actor: String, operation: String, target: String, error: RegistryError, requestId: String = ""
  ) {
    guard rate.admit(actor) == nil else {
      skipped.withLock { skipped in
        if skipped.count >= 10_000, skipped[actor] == nil { skipped.removeAll() }
        skipped[actor, default: 0] += 1
      }
      return
    }
    let left = skipped.withLock { $0.removeValue(forKey: actor) } ?? 0
    let note =
      left > 0 ? " (\(left) similar refusals of this actor not audited since the last)" : ""
    do {
      try eventStore.auditRefusal(
        AuditEntry(
          actor: actor, action: "Refused", target: target,
          detail: "\(operation): \(error.reason): \(error.message)\(note)"),
        requestId: requestId)
    } catch {
      logger.error("could not audit a refusal", metadata: ["error": "\(error)"])
    }
  }

  /// Refusals left out so far for `actor` (for tests).
  public func skippedCount(for actor: String) -> Int { skipped.withLock { $0[actor] ?? 0 } }
}
