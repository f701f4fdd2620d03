import Testing

@testable import OverdueRegistry

@Suite("Token buckets and the rate limiter")
struct TokenBucketTests {
  let start = ContinuousClock.now

  @Test func aBucketAllowsItsBurstThenRefillsAtItsRate() {
    var bucket = TokenBucket(ratePerSecond: 2, burst: 3, now: start)
    #expect((0..<3).allSatisfy { _ in bucket.take(now: start) == nil })
    #expect(bucket.take(now: start) == .milliseconds(500))
    #expect(bucket.take(now: start + .milliseconds(250)) == .milliseconds(250))
    #expect(bucket.take(now: start + .milliseconds(500)) == nil)
    #expect(!bucket.isFull(now: start + .milliseconds(500)))
    #expect(bucket.isFull(now: start + .seconds(10)))
  }

  @Test func principalsHaveTheirOwnBucketsAndIdleOnesAreForgotten() {
    let limiter = RateLimiter(rate: CallRate(perSecond: 1, burst: 1), maxPrincipals: 2)
    #expect(limiter.admit("member:M-A", now: start) == nil)
    #expect(limiter.admit("member:M-A", now: start) != nil)
    // M-B is busy a minute later (it has just used its token); M-A has been idle and refilled.
    let later = start + .seconds(60)
    #expect(limiter.admit("member:M-B", now: later) == nil)
    // The table is full: the idle M-A is the one forgotten, the busy M-B keeps its empty bucket.
    #expect(limiter.admit("member:M-C", now: later) == nil)
    #expect(limiter.trackedPrincipals == 2)
    #expect(limiter.admit("member:M-B", now: later) != nil)
    #expect(limiter.admit("member:M-C", now: later) != nil)
  }

  @Test func aTableFullOfBusyPrincipalsStaysBounded() {
    let limiter = RateLimiter(rate: CallRate(perSecond: 0.001, burst: 1), maxPrincipals: 2)
    for principal in ["ipv4:10.0.0.1", "ipv4:10.0.0.2", "ipv4:10.0.0.3", "ipv4:10.0.0.4"] {
      #expect(limiter.admit(principal, now: start) == nil)
    }
    #expect(limiter.trackedPrincipals == 2)
  }
}
