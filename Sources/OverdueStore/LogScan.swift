import GRDB
public import OverdueCore

/// One event of the log as a change feed reads it: the columns it filters on, and the payload
/// to decode only for the events that matter to it.
public struct LoggedRow: Sendable {
  public var sequence: UInt64
  public var stream: String
  public var type: String
  public var payload: String
  public var recordedAt: String

  /// The event itself.
  public func decoded() throws -> RegistryEvent {
    try JSONCoding.decode(RegistryEvent.self, from: payload)
  }
}

extension EventStore {
  /// Events after `sequence`, oldest first, at most `limit`, undecoded.
  public func rows(after sequence: UInt64, limit: Int) throws -> [LoggedRow] {
    try pool.read { db in
      try Row.fetchAll(
        db.cachedStatement(
          sql: """
            SELECT sequence, stream, type, payload, recorded_at FROM events
            WHERE sequence > ? ORDER BY sequence LIMIT ?
            """),
        arguments: [sequence, limit]
      ).map { row in
        LoggedRow(
          sequence: row["sequence"], stream: row["stream"], type: row["type"],
          payload: row["payload"], recordedAt: row["recorded_at"])
      }
    }
  }

  /// A listing as the log had it just before `sequence` (nil if it did not exist yet).
  public func listing(_ id: String, before sequence: UInt64) throws -> Listing? {
    try pool.read { db in
      var listing: Listing?
      for row in try Row.fetchAll(
        db.cachedStatement(
          sql:
            "SELECT sequence, payload FROM events WHERE stream = ? AND sequence < ? ORDER BY sequence"
        ),
        arguments: ["listing:\(id)", sequence])
      {
        guard
          case .listing(_, let event) = try JSONCoding.decode(
            RegistryEvent.self, from: row["payload"])
        else { continue }
        listing = Listing.apply(event, to: listing, sequence: row["sequence"])
      }
      return listing
    }
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
