/// A token bucket: `ratePerSecond` tokens a second up to `burst`; each call takes one.
public struct TokenBucket: Sendable, Equatable {
  public let ratePerSecond: Double
  public let burst: Double
  private(set) var tokens: Double
  private(set) var updated: ContinuousClock.Instant

  public init(ratePerSecond: Double, burst: Int, now: ContinuousClock.Instant) {
    self.ratePerSecond = ratePerSecond
    self.burst = Double(burst)
    tokens = Double(burst)
    updated = now
  }

  /// Takes a token if there is one (nil); otherwise how long until there will be.
  public mutating func take(now: ContinuousClock.Instant) -> Duration? {
    tokens = refilled(now: now)
    updated = now
    guard tokens < 1 else {
      tokens -= 1
      return nil
    }
    return .milliseconds(Int64(((1 - tokens) / ratePerSecond * 1000).rounded(.up)))
  }

  /// Whether the bucket has refilled completely (so forgetting it changes nothing).
  public func isFull(now: ContinuousClock.Instant) -> Bool {
    refilled(now: now) >= burst
  }

  private func refilled(now: ContinuousClock.Instant) -> Double {
    let elapsed = now - updated
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return min(burst, tokens + seconds * ratePerSecond)
  }
}
