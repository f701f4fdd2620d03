import Synchronization

/// How many calls a principal may make: `perSecond` sustained, `burst` at once after a quiet spell.
public struct CallRate: Sendable, Equatable {
  public var perSecond: Double
  public var burst: Int

  public init(perSecond: Double, burst: Int) {
    self.perSecond = perSecond
    self.burst = burst
  }
}

/// One token bucket per principal (a member, an operator, or a client address). When the table
/// holds `maxPrincipals`, refilled buckets are forgotten (and one more if none has), so memory stays
/// bounded.
public final class RateLimiter: Sendable {
  public let rate: CallRate
  public let maxPrincipals: Int
  private let buckets = Mutex<[String: TokenBucket]>([:])

  public init(rate: CallRate, maxPrincipals: Int = 100_000) {
    self.rate = rate
    self.maxPrincipals = maxPrincipals
  }

  /// How many principals have a bucket now.
  public var trackedPrincipals: Int { buckets.withLock { $0.count } }

  /// Admits a call by `principal` (nil), or says how long it should wait.
  public func admit(_ principal: String, now: ContinuousClock.Instant = .now) -> Duration? {
    buckets.withLock { buckets in
      if buckets.count >= maxPrincipals, buckets[principal] == nil {
        buckets = buckets.filter { !$0.value.isFull(now: now) }
        // Still full: forget one principal (it starts again with a full bucket).
        if buckets.count >= maxPrincipals { buckets.remove(at: buckets.startIndex) }
      }
      var bucket =
        buckets[principal]
        ?? TokenBucket(ratePerSecond: rate.perSecond, burst: rate.burst, now: now)
      let wait = bucket.take(now: now)
      buckets[principal] = bucket
      return wait
    }
  }
}
