import Foundation
import OverdueCore
import OverdueStore

/// One watch stream's view of the log: the member's watched parties (by the key listings are
/// matched on), the listings filed against them, and the scan from the stream's cursor. Only the
/// events of watched listings are decoded (and filings, to learn new ones), so a scan costs little
/// more than reading the log's rows.
struct ChangeFeed: Sendable {
  let registry: Registry
  let memberId: String
  private(set) var version: Int
  private(set) var watched: [String: [PartyIdentifier]]
  /// Watched listings: listing id → party key.
  private(set) var listings: [String: String]
  /// Whether the last scan stopped at its batch size (more is waiting).
  private(set) var batchWasFull = false
  static let batchSize = 1_000

  static func start(registry: Registry, memberId: String) async throws -> ChangeFeed {
    let version = registry.watchlistVersions.version(memberId)
    let (watched, listings) = try await registry.blocking.run {
      [eventStore = registry.eventStore] () throws(RegistryError) in
      try storageAccess { try load(eventStore, memberId: memberId) }
    }
    return ChangeFeed(
      registry: registry, memberId: memberId, version: version, watched: watched,
      listings: listings)
  }

  private static func load(_ eventStore: EventStore, memberId: String) throws -> (
    [String: [PartyIdentifier]], [String: String]
  ) {
    let watched = try eventStore.watchedParties(memberId: memberId)
    var listings: [String: String] = [:]
    for key in watched.keys {
      for id in try eventStore.listingIds(partyKey: key) { listings[id] = key }
    }
    return (watched, listings)
  }

  /// Reads the watchlist again if the member changed it since.
  mutating func reloadIfChanged() async throws {
    let now = registry.watchlistVersions.version(memberId)
    guard now != version else { return }
    self = try await Self.start(registry: registry, memberId: memberId)
  }

  /// Sends each watched party's current public state; returns the sequence it is as of.
  func sendCurrentState(send: @Sendable (WatchMessage) async throws -> Void) async throws
    -> UInt64
  {
    let identifiers = watched.values.flatMap { $0 }
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

  private mutating func scan(after cursor: UInt64) throws -> (UInt64, [WatchedChange]) {
    let eventStore = registry.eventStore
    let rows = try eventStore.rows(after: cursor, limit: Self.batchSize)
    batchWasFull = rows.count == Self.batchSize
    var found: [WatchedChange] = []
    for row in rows where row.stream.hasPrefix("listing:") {
      let id = String(row.stream.dropFirst("listing:".count))
      guard listings[id] != nil || row.type == ListingEvent.filedName else { continue }
      guard case .listing(_, let event) = try row.decoded() else { continue }
      if case .filed(let listing) = event {
        guard watched[listing.debtKey] != nil else { continue }
        listings[id] = listing.debtKey
      }
      guard let key = listings[id], let parties = watched[key] else { continue }
      let before = try eventStore.listing(id, before: row.sequence)
      let after = Listing.apply(event, to: before, sequence: row.sequence)
      guard
        let change = PublicChange(event, sequence: row.sequence, before: before, after: after)
      else { continue }
      let status = try partyStatus(key, through: row.sequence)
      let at = Self.instant(row.recordedAt)
      for party in parties {
        found.append(
          WatchedChange(
            sequence: row.sequence, party: party, filedUnder: change.filedUnder,
            listingId: change.listingId, kind: change.kind, status: status, at: at))
      }
    }
    return (rows.last?.sequence ?? cursor, found)
  }

  /// The party's status as its public listings stood right after `sequence`.
  private func partyStatus(_ key: String, through sequence: UInt64) throws -> ImpactStatus {
    let faces = try listings.filter { $0.value == key }.keys.compactMap { id in
      try registry.eventStore.listing(id, before: sequence + 1).flatMap(PublicListing.init)
    }
    return PartyAssessment.status(of: faces)
  }

  private static let recordedAtFormat = Date.ISO8601FormatStyle().year().month().day().time(
    includingFractionalSeconds: true)

  /// When an event was recorded (the log writes it in `recordedAtFormat`).
  static func instant(_ text: String) -> Date {
    (try? recordedAtFormat.parse(text)) ?? Date(timeIntervalSince1970: 0)
  }
}
