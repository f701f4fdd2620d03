import OverdueAPI
import OverdueClient
import Testing

@Suite("Watchlist input and watch cursors")
struct WatchingTests {
  @Test func partiesComeFromArgumentsAndALedgerOnceEach() throws {
    let ledger = try BatchLedger(
      csv:
        "customer,identifier,scheme\nAcme,27AAPFU0939F1ZV,\nNo id,,\nAcme PAN,AAPFU0939F,PAN\nAgain, 27aapfu0939f1zv ,\n"
    )
    let parties = WatchlistParties(
      arguments: ["29AAPFU0939F1ZR", "27AAPFU0939F1ZV"], ledger: ledger, ledgerName: "l.csv")
    #expect(
      parties.entries.map(\.party.value) == ["29AAPFU0939F1ZR", "27AAPFU0939F1ZV", "AAPFU0939F"])
    #expect(parties.entries.map(\.party.scheme) == ["", "", "PAN"])
    #expect(parties.entries.map(\.source) == ["argument 1", "argument 2", "l.csv line 4"])
    #expect(parties.skippedLines == [3])
    #expect(parties.duplicates == 2)
  }

  @Test func callsHoldAtMostTenThousandWithTheirOwnRequestIds() {
    let parties = WatchlistParties(arguments: (0..<25_001).map { "P\($0)" })
    let calls = parties.calls()
    #expect(calls.map(\.count) == [10_000, 10_000, 5_001])
    #expect(calls[2].first?.party.value == "P20000")
    #expect(WatchlistParties.requestIds(base: "r", calls: 3) == ["r.1", "r.2", "r.3"])
    #expect(WatchlistParties.requestIds(base: "r", calls: 1) == ["r"])
  }

  @Test func errorFieldsNameParties() {
    #expect(
      WatchlistParties.partyIndexes(inFields: [
        "parties[12].value", "parties[3].scheme", "parties[12].scheme", "request_id", "parties",
      ]) == [12, 3])
  }

  @Test func theCursorMovesOnChangesProgressAndTheInitialStateEnd() {
    var position = WatchPosition(resumeAfter: nil, initialState: true)
    #expect(position.request.sendInitialState)
    var current = Overdue_V1_WatchResponse()
    current.event.change = .currentState
    current.event.sequence = 40
    #expect(position.take(current) == nil)
    #expect(position.request.sendInitialState)  // cut off here: ask for the whole state again
    var end = Overdue_V1_WatchResponse()
    end.initialStateEnd.sequence = 40
    #expect(position.take(end) == 40)
    #expect(!position.request.sendInitialState && position.request.afterSequence == 40)
    var change = Overdue_V1_WatchResponse()
    change.event.change = .listed
    change.event.sequence = 41
    #expect(position.take(change) == 41)
    var progress = Overdue_V1_WatchResponse()
    progress.progress.sequence = 55
    #expect(position.take(progress) == 55)
    #expect(position.request.afterSequence == 55)
    #expect(WatchPosition(resumeAfter: 7, initialState: false).request.afterSequence == 7)
    #expect(WatchPosition(resumeAfter: nil, initialState: false).request.afterSequence == 0)
  }

  @Test func cursorFilesHoldOneNumber() {
    #expect(WatchPosition.cursor(fromFile: "1234\n") == 1234)
    #expect(WatchPosition.cursor(fromFile: " 18446744073709551615 ") == UInt64.max)
    #expect(WatchPosition.cursor(fromFile: "") == nil)
    #expect(WatchPosition.cursor(fromFile: "12 34") == nil)
    #expect(WatchPosition.cursor(fromFile: "-1") == nil)
  }

  @Test func backoffDoublesToThirtySecondsAndResetsAfterProgress() {
    var backoff = ReconnectBackoff()
    let waits = (0..<7).map { _ in backoff.delay(progressed: false) }
    #expect(waits == [1, 2, 4, 8, 16, 30, 30].map { Duration.seconds($0) })
    #expect(backoff.delay(progressed: true) == .seconds(1))
    #expect(backoff.delay(progressed: false) == .seconds(2))
  }
}
