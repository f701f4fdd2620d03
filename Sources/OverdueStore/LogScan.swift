import GRDB
public import OverdueCore

/// One event of the log as a change feed scans it: only the columns it filters on (the payload
/// is read, by `event(at:)`, for the few events that matter to it).
public struct LoggedRow: Sendable {
  public var sequence: UInt64
  public var stream: String
  public var type: String
}

extension EventStore {
  /// Events after `sequence`, oldest first, at most `limit`, without their payloads.
  public func rows(after sequence: UInt64, limit: Int) throws -> [LoggedRow] {
    try pool.read { db in
      var rows: [LoggedRow] = []
      rows.reserveCapacity(limit)
      let cursor = try Row.fetchCursor(
        db.cachedStatement(
          sql:
            "SELECT sequence, stream, type FROM events WHERE sequence > ? ORDER BY sequence LIMIT ?"
        ),
        arguments: [sequence, limit])
      while let row = try cursor.next() {
        rows.append(LoggedRow(sequence: row[0], stream: row[1], type: row[2]))
      }
      return rows
    }
  }

  /// The event at `sequence` and when it was recorded.
  public func event(at sequence: UInt64) throws -> (RegistryEvent, recordedAt: String)? {
    try pool.read { db in
      try Row.fetchOne(
        db.cachedStatement(sql: "SELECT payload, recorded_at FROM events WHERE sequence = ?"),
        arguments: [sequence]
      ).map { row in
        (try JSONCoding.decode(RegistryEvent.self, from: row["payload"]), row["recorded_at"])
      }
    }
  }

  /// A listing as the log had it just before `sequence` (nil if it did not exist yet).
  public func listing(_ id: String, before sequence: UInt64) throws -> Listing? {
    try pool.read { db in try EventChain.listing(id, before: sequence, db) }
  }

  /// The ids of every listing filed against a party key (in any state).
  public func listingIds(partyKey: String) throws -> [String] {
    try pool.read { db in
      try String.fetchAll(
        db.cachedStatement(
          sql: "SELECT DISTINCT listing_id FROM invoice_claims WHERE debt_key = ? ORDER BY 1"),
        arguments: [partyKey])
    }
  }
}
