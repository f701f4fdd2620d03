import Testing

@testable import OverdueServer

@Suite("Call deadlines watched by one task")
struct CallDeadlinesTests {
  @Test func aWaitEndsAtItsDeadlineWithinATick() async {
    let deadlines = CallDeadlines(tick: .milliseconds(10))
    let watch = Task { await deadlines.run() }
    defer { watch.cancel() }
    let start = ContinuousClock.now
    await deadlines.wait(deadlines.add(deadline: start + .milliseconds(50)))
    let waited = ContinuousClock.now - start
    #expect(waited >= .milliseconds(50))
    #expect(waited < .seconds(30))  // it ends; how soon depends on a loaded machine
    #expect(deadlines.waitCount == 0)
  }

  @Test func endedAndCancelledWaitsReturnAtOnceAndLeaveNothingBehind() async {
    let deadlines = CallDeadlines(tick: .seconds(60))  // the watch never ends them here
    await withTaskGroup(of: Void.self) { group in
      for index in 0..<1_000 {
        let id = deadlines.add(deadline: .now + .seconds(3_600))
        let waiter = Task { await deadlines.wait(id) }
        // Some end or are cancelled before they suspend, some while suspended.
        if index % 2 == 1 { await Task.yield() }
        if index % 4 < 2 { deadlines.end(id) } else { waiter.cancel() }
        group.addTask { await waiter.value }
      }
    }
    #expect(deadlines.waitCount == 0)
  }
}
