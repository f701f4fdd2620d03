import GRDB
import OverdueCore

/// The event log is hash-chained like the audit log: each event carries the SHA-256 of its content
/// and of the previous event's hash. The read model stores the hash of the last event it applied,
/// so a read model that is ahead of its log, or was built from another log, is found at start.
enum EventChain {
  static func hash(
    previous: String, sequence: UInt64, stream: String, type: String, payload: String,
    requestId: String, recordedAt: String
  ) -> String {
    ChainHash.of([previous, String(sequence), stream, type, payload, requestId, recordedAt])
  }

  /// The newest event's sequence and hash (0 and '' for an empty log).
  static func head(_ db: Database) throws -> (sequence: UInt64, hash: String) {
    guard
      let row = try Row.fetchOne(
        db.cachedStatement(sql: "SELECT sequence, hash FROM events ORDER BY sequence DESC LIMIT 1"))
    else { return (0, "") }
    return (row["sequence"], row["hash"])
  }

  /// A listing folded from its events before `sequence` (all of them by default), or nil.
  static func listing(_ id: String, before sequence: UInt64 = .max, _ db: Database) throws
    -> Listing?
  {
    var listing: Listing?
    for row in try Row.fetchAll(
      db.cachedStatement(
        sql:
          "SELECT sequence, payload FROM events WHERE stream = ? AND sequence < ? ORDER BY sequence"
      ),
      arguments: ["listing:\(id)", Int64(clamping: sequence)])
    {
      guard
        case .listing(_, let event) = try JSONCoding.decode(
          RegistryEvent.self, from: row["payload"])
      else { continue }
      listing = Listing.apply(event, to: listing, sequence: row["sequence"])
    }
    return listing
  }

  /// The hash of the event at `sequence`, or nil when the log has no such event.
  static func hash(at sequence: UInt64, _ db: Database) throws -> String? {
    try String.fetchOne(
      db.cachedStatement(sql: "SELECT hash FROM events WHERE sequence = ?"), arguments: [sequence])
  }

  /// Chains every event of a log written before events carried hashes.
  static func chainExisting(_ db: Database) throws {
    var previous = ""
    let rows = try Row.fetchCursor(
      db,
      sql:
        "SELECT sequence, stream, type, payload, request_id, recorded_at FROM events ORDER BY sequence"
    )
    var hashes: [(UInt64, String, String)] = []
    while let row = try rows.next() {
      let hash = hash(
        previous: previous, sequence: row["sequence"], stream: row["stream"], type: row["type"],
        payload: row["payload"], requestId: row["request_id"], recordedAt: row["recorded_at"])
      hashes.append((row["sequence"], previous, hash))
      previous = hash
    }
    for (sequence, previous, hash) in hashes {
      try db.execute(
        sql: "UPDATE events SET previous_hash = ?, hash = ? WHERE sequence = ?",
        arguments: [previous, hash, sequence])
    }
  }
}
