import Crypto
import Foundation
import GRDB

/// The event log is hash-chained like the audit log: each event carries the SHA-256 of its content
/// and of the previous event's hash. The read model stores the hash of the last event it applied,
/// so a read model that is ahead of its log, or was built from another log, is found at start.
enum EventChain {
  static func hash(
    previous: String, sequence: UInt64, stream: String, type: String, payload: String,
    requestId: String, recordedAt: String
  ) -> String {
    let fields = [previous, String(sequence), stream, type, payload, requestId, recordedAt]
    // Length-prefixed, so no two different events serialise alike.
    let canonical = fields.map { "\($0.utf8.count):\($0)" }.joined(separator: "|")
    return SHA256.hash(data: Data(canonical.utf8)).map { String(format: "%02x", $0) }.joined()
  }

  /// The hash of the newest event ('' for an empty log).
  static func lastHash(_ db: Database) throws -> String {
    try String.fetchOne(
      db.cachedStatement(sql: "SELECT hash FROM events ORDER BY sequence DESC LIMIT 1")) ?? ""
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
