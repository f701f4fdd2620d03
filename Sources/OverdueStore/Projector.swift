import Foundation
import GRDB
public import OverdueCore

/// Folds committed events, in sequence order, into the read model; the position is stored in the
/// same read-model transaction, so every event is applied exactly once.
public final class Projector: Sendable {
  let eventStore: EventStore
  let readModel: ReadModel
  let batchSize: Int

  public init(eventStore: EventStore, readModel: ReadModel, batchSize: Int = 500) {
    self.eventStore = eventStore
    self.readModel = readModel
    self.batchSize = batchSize
  }

  /// Applies every event not yet applied and returns the new position.
  @discardableResult
  public func catchUp() throws -> UInt64 {
    while true {
      let (position, applied) = try readModel.pool.write { db -> (UInt64, Int) in
        try applyBatch(db)
      }
      if applied < batchSize { return position }
    }
  }

  /// Drops the read model's contents and folds the whole log again.
  public func rebuild() throws {
    try readModel.pool.write { db in
      for table in ["listings", "parties", "members", "party_names"] {
        try db.execute(sql: "DELETE FROM \(table)")
      }
      try db.execute(sql: "UPDATE projection SET sequence = 0 WHERE id = 1")
      while try applyBatch(db).applied == batchSize {}
    }
  }

  private func applyBatch(_ db: Database) throws -> (position: UInt64, applied: Int) {
    var position = try ReadModel.position(db)
    let batch = try eventStore.events(after: position, limit: batchSize)
    for logged in batch {
      try apply(logged, db)
      position = logged.sequence
    }
    try db.execute(sql: "UPDATE projection SET sequence = ? WHERE id = 1", arguments: [position])
    return (position, batch.count)
  }

  private func apply(_ logged: LoggedEvent, _ db: Database) throws {
    switch logged.event {
    case .listing(let id, let event):
      let current = try String.fetchOne(
        db, sql: "SELECT listing FROM listings WHERE listing_id = ?", arguments: [id]
      )
      .map { try JSONCoding.decode(Listing.self, from: $0) }
      guard let listing = Listing.apply(event, to: current, sequence: logged.sequence) else {
        return
      }
      try db.execute(
        sql: """
          INSERT OR REPLACE INTO listings
            (listing_id, member_id, state, filed_scheme, filed_value, pan, listing, public_listing)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?)
          """,
        arguments: [
          id, listing.memberId, listing.state.rawValue, listing.party.scheme.rawValue,
          listing.party.value,
          listing.pan, try JSONCoding.encode(listing),
          try PublicListing(listing).map(JSONCoding.encode),
        ])
      try refreshParty(listing.party, pan: listing.pan, db)
    case .member(let id, let event):
      guard case .registered(let member) = event else {
        if case .suspended = event {
          try db.execute(
            sql: "UPDATE members SET status = 'SUSPENDED' WHERE member_id = ?", arguments: [id])
        } else {
          try db.execute(
            sql: "UPDATE members SET status = 'ACTIVE' WHERE member_id = ?", arguments: [id])
        }
        return
      }
      try db.execute(
        sql:
          "INSERT OR REPLACE INTO members (member_id, display_name, sector, status) VALUES (?, ?, ?, ?)",
        arguments: [id, member.displayName, member.sector, member.status.rawValue])
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
