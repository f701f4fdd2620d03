import Foundation
import GRDB
public import OverdueCore
import Synchronization

/// Folds committed events, in sequence order, into the read model; the position is stored in the
/// same read-model transaction, so every event is applied exactly once.
public final class Projector: Sendable {
  let eventStore: EventStore
  let readModel: ReadModel
  /// The deadline rules each listing's next deadline is computed under.
  let policy: FilingPolicy
  let batchSize: Int

  public init(
    eventStore: EventStore, readModel: ReadModel, policy: FilingPolicy = .defaults,
    batchSize: Int = 500
  ) {
    self.eventStore = eventStore
    self.readModel = readModel
    self.policy = policy
    self.batchSize = batchSize
  }

  /// Brings the read model up to date at start-up: rebuilds it when it was made under other
  /// deadline rules (or before they were recorded), then applies what is new.
  /// It also rebuilds a read model that does not match its log: ahead of it, or whose last applied
  /// event's hash is not the log's event at that sequence (a read model from another log).
  public func start() throws {
    let (rules, position, hash) = try readModel.pool.read { db in
      let row = try Row.fetchOne(
        db, sql: "SELECT deadline_rules, sequence, last_hash FROM projection WHERE id = 1")
      return (
        row?["deadline_rules"] as String?, row?["sequence"] as UInt64? ?? 0,
        row?["last_hash"] as String? ?? ""
      )
    }
    let logHash = position == 0 ? "" : try eventStore.hash(at: position)
    let matchesLog = logHash == hash
    if rules != policy.deadlineRules || !matchesLog { try rebuild() }
    try catchUp()
  }

  /// Applies every event not yet applied and returns the new position.
  /// Passes over one read model never overlap (whichever projector runs them), so the in-memory
  /// index is updated in the order the batches committed: a listed party never answers CLEAR.
  @discardableResult
  public func catchUp() throws -> UInt64 {
    try readModel.projectionPasses.withLock { _ in
      while true {
        let batch = try readModel.pool.write { db in try applyBatch(db) }
        readModel.index.update(
          present: batch.present, absent: batch.absent, position: batch.position)
        if batch.applied < batchSize { return batch.position }
      }
    }
  }

  /// Drops the read model's contents and folds the whole log again.
  public func rebuild() throws {
    try readModel.projectionPasses.withLock { _ in try rebuildNow() }
  }

  private func rebuildNow() throws {
    let (keys, position) = try readModel.pool.write { db in
      for table in ["listings", "parties", "members", "party_names"] {
        try db.execute(sql: "DELETE FROM \(table)")
      }
      try db.execute(
        sql: "UPDATE projection SET sequence = 0, last_hash = '', deadline_rules = ? WHERE id = 1",
        arguments: [policy.deadlineRules])
      var position: UInt64 = 0
      while case let batch = try applyBatch(db), batch.applied > 0 {
        position = batch.position
        if batch.applied < batchSize { break }
      }
      return (try ReadModel.publicKeys(db), position)
    }
    readModel.index.reset(keys: keys, position: position)
  }

  /// What one committed batch changed: its position, and which party keys now have (or no longer
  /// have) public listings, for the in-memory index.
  private struct AppliedBatch {
    var position: UInt64
    var applied: Int
    var present: Set<String> = []
    var absent: Set<String> = []
  }

  private func applyBatch(_ db: Database) throws -> AppliedBatch {
    var position = try ReadModel.position(db)
    let events = try eventStore.events(after: position, limit: batchSize)
    var touched = Set<String>()
    for logged in events {
      if let key = try apply(logged, db) { touched.insert(key) }
      position = logged.sequence
    }
    if let last = events.last {
      try db.execute(
        sql: "UPDATE projection SET sequence = ?, last_hash = ? WHERE id = 1",
        arguments: [position, last.hash])
    }
    var batch = AppliedBatch(position: position, applied: events.count)
    for key in touched {
      if try ReadModel.hasPublicParty(db, key: key) {
        batch.present.insert(key)
      } else {
        batch.absent.insert(key)
      }
    }
    return batch
  }

  /// Applies one event; returns the party key it touched, if any.
  private func apply(_ logged: LoggedEvent, _ db: Database) throws -> String? {
    switch logged.event {
    case .listing(let id, let event):
      let current = try String.fetchOne(
        db, sql: "SELECT listing FROM listings WHERE listing_id = ?", arguments: [id]
      )
      .map { try JSONCoding.decode(Listing.self, from: $0) }
      guard let listing = Listing.apply(event, to: current, sequence: logged.sequence) else {
        return nil
      }
      try db.execute(
        sql: """
          INSERT OR REPLACE INTO listings
            (listing_id, member_id, state, filed_scheme, filed_value, pan, listing, public_listing,
             next_deadline_day)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
          """,
        arguments: [
          id, listing.memberId, listing.state.rawValue, listing.party.scheme.rawValue,
          listing.party.value,
          listing.pan, try JSONCoding.encode(listing),
          try PublicListing(listing).map(JSONCoding.encode),
          ListingDecider.nextDeadline(listing, policy: policy)?.dayNumber,
        ])
      try refreshParty(listing.party, pan: listing.pan, db)
      return listing.debtKey
    case .member(let id, let event):
      guard case .registered(let member) = event else {
        if case .suspended = event {
          try db.execute(
            sql: "UPDATE members SET status = 'SUSPENDED' WHERE member_id = ?", arguments: [id])
        } else {
          try db.execute(
            sql: "UPDATE members SET status = 'ACTIVE' WHERE member_id = ?", arguments: [id])
        }
        return nil
      }
      try db.execute(
        sql:
          "INSERT OR REPLACE INTO members (member_id, display_name, sector, status) VALUES (?, ?, ?, ?)",
        arguments: [id, member.displayName, member.sector, member.status.rawValue])
      return nil
    }
  }

  /// A party is known publicly only while it has a public listing; its name is the latest filed.
  private func refreshParty(_ party: PartyIdentifier, pan: String?, _ db: Database) throws {
    let name = try String.fetchOne(
      db,
      sql: """
        SELECT json_extract(listing, '$.legalName') FROM listings
        WHERE filed_scheme = ? AND filed_value = ? AND public_listing IS NOT NULL
        ORDER BY listing_id DESC LIMIT 1
        """,
      arguments: [party.scheme.rawValue, party.value])
    let existing = try Int64.fetchOne(
      db, sql: "SELECT rowid FROM parties WHERE scheme = ? AND value = ?",
      arguments: [party.scheme.rawValue, party.value])
    switch (existing, name) {
    case (let rowid?, let name?):
      try db.execute(
        sql: "UPDATE parties SET pan = ?, legal_name = ? WHERE rowid = ?",
        arguments: [pan, name, rowid])
      try db.execute(
        sql: "UPDATE party_names SET legal_name = ? WHERE rowid = ?", arguments: [name, rowid])
    case (nil, let name?):
      try db.execute(
        sql: "INSERT INTO parties (scheme, value, pan, legal_name) VALUES (?, ?, ?, ?)",
        arguments: [party.scheme.rawValue, party.value, pan, name])
      try db.execute(
        sql: "INSERT INTO party_names (rowid, scheme, value, legal_name) VALUES (?, ?, ?, ?)",
        arguments: [db.lastInsertedRowID, party.scheme.rawValue, party.value, name])
    case (let rowid?, nil):
      try db.execute(sql: "DELETE FROM parties WHERE rowid = ?", arguments: [rowid])
      try db.execute(sql: "DELETE FROM party_names WHERE rowid = ?", arguments: [rowid])
    case (nil, nil):
      break
    }
  }
}
