public import Foundation
public import OverdueCore
public import OverdueStore
import Synchronization

/// A change of a watched party's public picture, as one member's watch stream delivers it.
public struct WatchedChange: Sendable, Equatable {
  /// The log sequence that made the change (for a current-state entry: the state's sequence).
  public var sequence: UInt64
  /// The party as the member watches it.
  public var party: PartyIdentifier
  /// The identifier the listing was filed under (nil for a current-state entry).
  public var filedUnder: PartyIdentifier?
  public var listingId: String
  /// What changed; nil for a current-state entry.
  public var kind: ChangeKind?
  /// The party's status after the change.
  public var status: ImpactStatus
  public var at: Date
}

/// One message of a watch stream.
public enum WatchMessage: Sendable, Equatable {
  case change(WatchedChange)
  /// A watched party's current public state (when the stream asked for it first).
  case currentState(WatchedChange)
  /// The current states are all sent; changes after `sequence` follow.
  case initialStateEnd(sequence: UInt64)
  /// Everything up to `sequence` has been scanned.
  case progress(sequence: UInt64)
}

/// The result of a watchlist change.
public struct WatchlistChange: Codable, Sendable, Equatable {
  public var changed: Int
  /// The log position the change took effect at: changes after it are matched against it.
  public var sequence: UInt64
  public var watched: Int
}

/// How often each member's watchlist changed, so that open streams reload it only when it did.
final class WatchlistVersions: Sendable {
  private let versions = Mutex<[String: Int]>([:])

  func bump(_ memberId: String) { versions.withLock { $0[memberId, default: 0] += 1 } }
  func version(_ memberId: String) -> Int { versions.withLock { $0[memberId] ?? 0 } }
}

extension Registry {
  /// Adds parties to a member's watchlist (identifiers validated and normalised as in a check).
  public func addToWatchlist(
    _ parties: [PartyIdentifier], memberId: String, actor: Actor, key: IdempotencyKey
  ) async throws(RegistryError) -> WatchlistChange {
    let maximum = maxWatchedParties
    let change = try await writing(
      key, as: WatchlistChange.self, "add to the watchlist", target: memberId
    ) { session throws(RegistryError) in
      let (changed, watched) = try session.watch(parties, memberId: memberId, maximum: maximum)
      return WatchlistChange(
        changed: changed, sequence: try session.lastSequence(), watched: watched)
    }
    watchlistVersions.bump(memberId)
    return change
  }

  /// Removes parties from a member's watchlist.
  public func removeFromWatchlist(
    _ parties: [PartyIdentifier], memberId: String, actor: Actor, key: IdempotencyKey
  ) async throws(RegistryError) -> WatchlistChange {
    let change = try await writing(
      key, as: WatchlistChange.self, "remove from the watchlist", target: memberId
    ) { session throws(RegistryError) in
      let (changed, watched) = try session.unwatch(parties, memberId: memberId)
      return WatchlistChange(
        changed: changed, sequence: try session.lastSequence(), watched: watched)
    }
    watchlistVersions.bump(memberId)
    return change
  }

  /// A page of a member's watchlist, after `cursor`.
  public func watchlist(memberId: String, after cursor: String, limit: Int)
    async throws(RegistryError) -> [PartyIdentifier]
  {
    try await blocking.run { [eventStore] () throws(RegistryError) in
      try storageAccess {
        try eventStore.watchlist(memberId: memberId, after: cursor, limit: limit)
      }
    }
  }

  /// Streams the changes of a member's watched parties after `after` (first their current state,
  /// if asked) to `send`, until the task is cancelled or `stillAllowed` refuses. Pull-based: the
  /// stream reads the log from its own cursor, a batch at a time, and `send` waits for the
  /// client, so a slow reader holds one batch, never a growing buffer.
  public func watch(
    memberId: String, after: UInt64, initialState: Bool, progressEvery: Duration = .seconds(15),
    send: @Sendable (WatchMessage) async throws -> Void,
    stillAllowed: @Sendable () async throws -> Void
  ) async throws {
    let head = try await blocking.run { [eventStore] () throws(RegistryError) in
      try storageAccess { try eventStore.lastSequence() }
    }
    guard after <= head else {
      throw RegistryError.invalid(
        "after_sequence", "CURSOR_AHEAD_OF_LOG",
        "after_sequence \(after) is beyond the log's last sequence \(head); use a cursor this registry gave"
      )
    }
    var feed = try await ChangeFeed.start(registry: self, memberId: memberId, from: after)
    var cursor = after
    if initialState {
      cursor = try await feed.sendCurrentState(send: send)
      try await send(.initialStateEnd(sequence: cursor))
      try await feed.cover(from: cursor)
    }
    var lastSent = ContinuousClock.now
    while true {
      try Task.checkCancellation()
      try await feed.reloadIfChanged(from: cursor)
      let (scanned, changes) = try await feed.changes(after: cursor)
      for change in changes { try await send(.change(change)) }
      if !changes.isEmpty { lastSent = .now }
      cursor = scanned
      if feed.batchWasFull { continue }
      if ContinuousClock.now - lastSent >= progressEvery {
        try await send(.progress(sequence: cursor))
        lastSent = .now
        try await stillAllowed()
      }
      let remaining = progressEvery - (ContinuousClock.now - lastSent)
      if await !follower.waitUntilApplied(cursor + 1, timeout: max(remaining, .milliseconds(1))),
        Task.isCancelled
      {
        // The stream is being ended (shutdown, or its client left): a last progress, if the client
        // can still take it. This task is cancelled, and a write from it would fail, so the
        // write goes from a task of its own, awaited here.
        let last = WatchMessage.progress(sequence: cursor)
        await withoutActuallyEscaping(send) { send in
          await Task { try? await send(last) }.value
        }
        throw CancellationError()
      }
      try await stillAllowed()
    }
  }
}
