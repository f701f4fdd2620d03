import Foundation
public import OverdueAPI

/// The parties of a watchlist write: identifiers given on the command line and the `identifier`
/// column (with the optional `scheme`) of a ledger read as `overdue batch` reads it. Rows with no
/// identifier are skipped, and an identifier given twice is sent once. Each party remembers where
/// it came from, so that an error naming `parties[i]` of a call can be traced to its line.
public struct WatchlistParties: Sendable {
  /// At most this many parties in one call.
  public static let maxPerCall = 10_000

  /// One party and where it came from ("argument 2", "ledger.csv line 17").
  public struct Entry: Sendable {
    public var party: Overdue_V1_PartyIdentifier
    public var source: String
  }

  public private(set) var entries: [Entry] = []
  /// Ledger lines whose identifier was empty.
  public private(set) var skippedLines: [Int] = []
  /// Identifiers left out because they were already given.
  public private(set) var duplicates = 0

  /// `scheme` applies to the arguments; ledger rows carry their own (empty: inferred).
  public init(
    arguments: [String], scheme: String = "", ledger: BatchLedger? = nil, ledgerName: String = ""
  ) {
    var seen = Set<String>()
    func add(scheme: String, value: String, source: String) {
      let key =
        scheme.trimmingCharacters(in: .whitespaces).uppercased() + "\u{1F}"
        + value.trimmingCharacters(in: .whitespaces).uppercased()
      guard seen.insert(key).inserted else {
        duplicates += 1
        return
      }
      var party = Overdue_V1_PartyIdentifier()
      party.scheme = scheme
      party.value = value
      entries.append(Entry(party: party, source: source))
    }
    for (index, value) in arguments.enumerated() {
      add(scheme: scheme, value: value, source: "argument \(index + 1)")
    }
    for row in ledger?.rows ?? [] {
      guard !row.identifier.trimmingCharacters(in: .whitespaces).isEmpty else {
        skippedLines.append(row.line)
        continue
      }
      add(scheme: row.scheme, value: row.identifier, source: "\(ledgerName) line \(row.line)")
    }
  }

  /// The entries in calls of at most `size`.
  public func calls(of size: Int = maxPerCall) -> [ArraySlice<Entry>] {
    stride(from: 0, to: entries.count, by: size).map {
      entries[$0..<min($0 + size, entries.count)]
    }
  }

  /// One request id per call: `base` itself for a single call, else `base.1`, `base.2`, … so that
  /// running the same command again with the same `--request-id` repeats every call exactly.
  public static func requestIds(base: String, calls: Int) -> [String] {
    calls <= 1 ? [base] : (1...calls).map { "\(base).\($0)" }
  }

  /// The indexes `parties[i]` named by an error's field paths (`parties[12].value`).
  public static func partyIndexes(inFields fields: [String]) -> [Int] {
    var indexes: [Int] = []
    for field in fields {
      guard field.hasPrefix("parties["), let close = field.firstIndex(of: "]") else { continue }
      let digits = field[field.index(field.startIndex, offsetBy: 8)..<close]
      if let index = Int(digits), !indexes.contains(index) { indexes.append(index) }
    }
    return indexes
  }
}

/// Where a watch stream stands, across reconnects: the cursor to resume after, and whether the
/// initial state asked for has been received whole. Initial-state entries do not move the cursor
/// (they all carry the sequence the state is as of): only its end does, so a stream cut off in the
/// middle of the initial state asks for it again rather than resuming with part of it.
public struct WatchPosition: Sendable, Equatable {
  public private(set) var cursor: UInt64?
  public private(set) var initialStatePending: Bool

  /// `resumeAfter` nil: from the start of the log, or (with `initialState`) the current state.
  public init(resumeAfter: UInt64?, initialState: Bool) {
    cursor = resumeAfter
    initialStatePending = initialState
  }

  /// The request for the next stream.
  public var request: Overdue_V1_WatchRequest {
    var request = Overdue_V1_WatchRequest()
    if initialStatePending {
      request.sendInitialState = true
    } else {
      request.afterSequence = cursor ?? 0
    }
    return request
  }

  /// Takes in one message; the new cursor when it moved (to be saved), else nil.
  public mutating func take(_ message: Overdue_V1_WatchResponse) -> UInt64? {
    let sequence: UInt64
    switch message.kind {
    case .event(let event):
      guard event.change != .currentState else { return nil }
      sequence = event.sequence
    case .progress(let progress):
      sequence = progress.sequence
    case .initialStateEnd(let end):
      initialStatePending = false
      sequence = end.sequence
    case nil:
      return nil
    }
    cursor = sequence
    return sequence
  }

  /// A cursor file's content: the sequence in decimal, surrounding whitespace allowed.
  public static func cursor(fromFile text: String) -> UInt64? {
    UInt64(text.trimmingCharacters(in: .whitespacesAndNewlines))
  }
}

/// The wait before reconnecting a stream: 1 s, doubling to 30 s, and back to 1 s after a stream
/// that delivered something (so that one drop after hours waits 1 s, a server down for long is
/// asked every 30 s).
public struct ReconnectBackoff: Sendable {
  public let first: Duration
  public let limit: Duration
  private var next: Duration

  public init(first: Duration = .seconds(1), limit: Duration = .seconds(30)) {
    self.first = first
    self.limit = limit
    next = first
  }

  /// The wait before the next attempt; `progressed` when the last stream delivered a message.
  public mutating func delay(progressed: Bool) -> Duration {
    if progressed { next = first }
    let delay = next
    next = min(next * 2, limit)
    return delay
  }
}
