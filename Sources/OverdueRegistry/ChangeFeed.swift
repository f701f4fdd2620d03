import Foundation
import OverdueCore
import OverdueStore
import Synchronization

/// One watch stream's view of the log: the member's watched parties (by the key listings are
/// matched on) and the listings filed against them — a snapshot shared by all the member's open
/// streams — and the scan from the stream's cursor. The scan reads only the log's sequence, stream
/// and type columns; an event's payload is read only for watched listings (and filings, to learn
/// new ones), and a change is derived once per process, whichever stream meets it first.
struct ChangeFeed: Sendable {
  let registry: Registry
  let memberId: String
  private(set) var snapshot: WatchSnapshot
  /// Watched listings filed after the snapshot was taken: listing id → party key.
  private(set) var learned: [String: String] = [:]
  /// Whether the last scan stopped at its batch size (more is waiting).
  private(set) var batchWasFull = false
  static let batchSize = 2_000

  /// A feed for a stream that scans from `cursor` on.
  static func start(registry: Registry, memberId: String, from cursor: UInt64) async throws
    -> ChangeFeed
  {
    ChangeFeed(
      registry: registry, memberId: memberId,
      snapshot: try await registry.watchSnapshot(memberId: memberId, covering: cursor))
  }

  /// Takes the member's watchlist again if it changed since, for a scan from `cursor` on.
  mutating func reloadIfChanged(from cursor: UInt64) async throws {
    guard registry.watchlistVersions.version(memberId) != snapshot.version else { return }
    self = try await Self.start(registry: registry, memberId: memberId, from: cursor)
  }

  /// Makes sure the snapshot knows every watched listing filed up to `cursor` (those filed after
  /// it, the scan learns itself).
  mutating func cover(from cursor: UInt64) async throws {
    guard snapshot.loadedAt < cursor else { return }
    self = try await Self.start(registry: registry, memberId: memberId, from: cursor)
  }

  /// Sends each watched party's current public state; returns the sequence it is as of.
  func sendCurrentState(send: @Sendable (WatchMessage) async throws -> Void) async throws
    -> UInt64
  {
    let identifiers = snapshot.watched.values.flatMap { $0 }
    guard !identifiers.isEmpty else { return registry.readModel.position() }
    let reports = try await registry.reports(for: identifiers)
    let asOf = reports.map(\.0.asOfSequence).min() ?? registry.readModel.position()
    let now = registry.clock.now()
    for (identifier, (record, assessment)) in zip(identifiers, reports)
    where !record.listings.isEmpty {
      try await send(
        .currentState(
          WatchedChange(
            sequence: record.asOfSequence, party: identifier, filedUnder: nil, listingId: "",
            kind: nil, status: assessment.status, at: now)))
    }
    return asOf
  }

  /// The changes after `cursor` in the next batch of the log, and the last sequence scanned.
  mutating func changes(after cursor: UInt64) async throws -> (UInt64, [WatchedChange]) {
    let feed = self
    let (scan, updated) = try await registry.blocking.run { () throws(RegistryError) in
      var feed = feed
      let scan = try storageAccess { try feed.scan(after: cursor) }
      return (scan, feed)
    }
    self = updated
    return scan
  }

  private func key(of listingId: String) -> String? {
    snapshot.listings[listingId] ?? learned[listingId]
  }

  private mutating func scan(after cursor: UInt64) throws -> (UInt64, [WatchedChange]) {
    let rows = try registry.sharedScans.rows(
      after: cursor, limit: Self.batchSize, position: registry.readModel.position(),
      eventStore: registry.eventStore)
    batchWasFull = rows.count == Self.batchSize
    var found: [WatchedChange] = []
    for row in rows where row.stream.hasPrefix("listing:") {
      let id = String(row.stream.dropFirst("listing:".count))
      if key(of: id) == nil {
        // Only a filing the snapshot cannot know (made after it was loaded) can add a watched
        // listing; anything else of an unknown listing is not watched, and is skipped unread.
        guard row.type == ListingEvent.filedName, row.sequence > snapshot.loadedAt,
          let (event, _) = try registry.eventStore.event(at: row.sequence),
          case .listing(_, .filed(let listing)) = event,
          snapshot.watched[listing.debtKey] != nil
        else { continue }
        learned[id] = listing.debtKey
      }
      guard let derived = try registry.derivedChanges.change(at: row.sequence, registry: registry),
        let change = derived.change, let parties = snapshot.watched[derived.partyKey]
      else { continue }
      for party in parties {
        found.append(
          WatchedChange(
            sequence: row.sequence, party: party, filedUnder: change.filedUnder,
            listingId: change.listingId, kind: change.kind, status: derived.status,
            at: derived.at))
      }
    }
    return (rows.last?.sequence ?? cursor, found)
  }
}

/// A member's watchlist at one version, shared by all the member's open streams that scan from
/// no later than `loadedAt` (a stream that scans from later needs a newer snapshot: the filings
/// between would be unknown to it).
final class WatchSnapshot: Sendable {
  let version: Int
  /// The log's last sequence when the listings were read: every filing up to it is in `listings`.
  let loadedAt: UInt64
  /// Watched parties by party key.
  let watched: [String: [PartyIdentifier]]
  /// Listings filed against them: listing id → party key.
  let listings: [String: String]

  init(
    version: Int, loadedAt: UInt64, watched: [String: [PartyIdentifier]],
    listings: [String: String]
  ) {
    self.version = version
    self.loadedAt = loadedAt
    self.watched = watched
    self.listings = listings
  }

  static func load(_ eventStore: EventStore, memberId: String, version: Int) throws
    -> WatchSnapshot
  {
    let loadedAt = try eventStore.lastSequence()
    let watched = try eventStore.watchedParties(memberId: memberId)
    var listings: [String: String] = [:]
    for key in watched.keys {
      for id in try eventStore.listingIds(partyKey: key) { listings[id] = key }
    }
    return WatchSnapshot(
      version: version, loadedAt: loadedAt, watched: watched, listings: listings)
  }
}

/// The public change each listing event made, derived once per process and shared by every watch
/// stream (at most `capacity` kept; when full, all are forgotten at once).
final class DerivedChanges: Sendable {
  /// What one event did: to which party, which change if any, and the party's status after it.
  struct Derived: Sendable {
    let partyKey: String
    let change: PublicChange?
    let status: ImpactStatus
    let at: Date
  }

  let capacity: Int
  private let derived = Mutex<[UInt64: Derived]>([:])

  init(capacity: Int = 50_000) {
    self.capacity = capacity
  }

  /// The change the listing event at `sequence` made (nil if it is not a listing event).
  func change(at sequence: UInt64, registry: Registry) throws -> Derived? {
    if let known = derived.withLock({ $0[sequence] }) { return known }
    let eventStore = registry.eventStore
    guard let (logged, recordedAt) = try eventStore.event(at: sequence),
      case .listing(let id, let event) = logged
    else { return nil }
    let before = try eventStore.listing(id, before: sequence)
    guard let after = Listing.apply(event, to: before, sequence: sequence) else { return nil }
    let change = PublicChange(event, sequence: sequence, before: before, after: after)
    let key = after.debtKey
    let status =
      change == nil
      ? .clear
      : PartyAssessment.status(
        of: try eventStore.listingIds(partyKey: key).compactMap { other in
          try eventStore.listing(other, before: sequence + 1).flatMap(PublicListing.init)
        })
    let result = Derived(
      partyKey: key, change: change, status: status,
      at: RecordedAt.date(recordedAt) ?? Date(timeIntervalSince1970: 0))
    derived.withLock { derived in
      if derived.count >= capacity { derived.removeAll(keepingCapacity: true) }
      derived[sequence] = result
    }
    return result
  }
}

extension Registry {
  /// The member's current watchlist snapshot for a scan from `cursor`, shared while its version
  /// holds and it was loaded no earlier than `cursor`.
  func watchSnapshot(memberId: String, covering cursor: UInt64) async throws -> WatchSnapshot {
    let version = watchlistVersions.version(memberId)
    if let shared = watchSnapshots.withLock({ $0[memberId] }), shared.version == version,
      shared.loadedAt >= cursor
    {
      return shared
    }
    let snapshot = try await blocking.run { [eventStore] () throws(RegistryError) in
      try storageAccess {
        try WatchSnapshot.load(eventStore, memberId: memberId, version: version)
      }
    }
    watchSnapshots.withLock { snapshots in
      if snapshots.count >= 10_000 { snapshots.removeAll() }
      snapshots[memberId] = snapshot
    }
    return snapshot
  }
}
