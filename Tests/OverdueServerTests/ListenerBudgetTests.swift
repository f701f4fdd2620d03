import Testing

@testable import OverdueServer

@Suite("Listener budgets and the calls the server runs")
struct ListenerBudgetTests {
  let limits = ListenerBudget.Limits(maxInFlight: 4, maxInFlightPerPeer: 3, maxStreamsPerPeer: 1)

  @Test func aPeerGetsItsShareAndNoMore() {
    let budget = ListenerBudget(limits)
    #expect(budget.admit(peer: "a", isStream: true) == nil)
    #expect(budget.admit(peer: "a", isStream: true) == .peerStreamsFull)
    #expect(budget.admit(peer: "a", isStream: false) == nil)
    #expect(budget.admit(peer: "a", isStream: false) == nil)
    #expect(budget.admit(peer: "a", isStream: false) == .peerFull)
    // Another peer still gets in, up to the listener's budget.
    #expect(budget.admit(peer: "b", isStream: false) == nil)
    #expect(budget.admit(peer: "c", isStream: false) == .listenerFull)
  }

  @Test func everythingTakenIsGivenBackAndIdlePeersAreForgotten() {
    let budget = ListenerBudget(limits)
    for _ in 0..<1_000 {
      #expect(budget.admit(peer: "a", isStream: true) == nil)
      #expect(budget.admit(peer: "b", isStream: false) == nil)
      budget.release(peer: "a", isStream: true)
      budget.release(peer: "b", isStream: false)
    }
    #expect(budget.usage.inFlight == 0)
    #expect(budget.usage.peers == 0)
  }

  @Test func aCallPastItsDeadlineIsEndedAndItsHandlerCancelled() async throws {
    let calls = RunningCalls(tick: .milliseconds(10))
    let watch = Task { await calls.run() }
    defer { watch.cancel() }
    let call = RunningCall(limit: .milliseconds(30))
    let id = calls.add(call, deadline: .now + .milliseconds(30), isStream: false)
    await #expect(throws: CancellationError.self) {
      try await call.runHandler { try await Task.sleep(for: .seconds(60)) }
    }
    #expect(call.endedBy == .timeLimit)
    calls.remove(id)
    #expect(calls.count == 0)
  }

  @Test func atShutdownStreamsEndAtOnceAndUnaryCallsFinish() async throws {
    let calls = RunningCalls(tick: .seconds(60))
    let unary = RunningCall(limit: .seconds(60))
    let stream = RunningCall(limit: nil)
    let unaryID = calls.add(unary, deadline: .now + .seconds(60), isStream: false)
    _ = calls.add(stream, deadline: nil, isStream: true)
    calls.beginShutdown()
    // The transport reports every call as cancelled once it quiesces: unary calls run on.
    calls.clientLeft(unaryID)
    #expect(stream.endedBy == .shutdown)
    #expect(unary.endedBy == .running)
    #expect(try await unary.runHandler { 42 } == 42)
    // A stream opened during shutdown is ended at once; when the grace is over, everything is.
    let late = RunningCall(limit: nil)
    _ = calls.add(late, deadline: nil, isStream: true)
    #expect(late.endedBy == .shutdown)
    calls.cancelAll()
    #expect(unary.endedBy == .shutdown)
  }

  @Test func aClientThatLeavesEndsItsCallAndAHandlerNotYetStartedNeverRuns() async throws {
    let calls = RunningCalls(tick: .seconds(60))
    let call = RunningCall(limit: .seconds(60))
    let id = calls.add(call, deadline: .now + .seconds(60), isStream: false)
    calls.clientLeft(id)
    #expect(call.endedBy == .clientLeft)
    await #expect(throws: CancellationError.self) {
      try await call.runHandler { Issue.record("the handler ran") }
    }
  }
}
