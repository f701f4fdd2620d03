import Foundation
import GRDB
public import OverdueCore

/// The write side (`events.sqlite`): the append-only event log, request ids, members, certificates,
/// evidence and audit rows. Every command runs in one transaction.
public final class EventStore: Sendable {
  let pool: DatabasePool
  private let auditVerifier = AuditVerifier()

  /// Opens (creating and migrating) the event log at `path`, in WAL mode with `synchronous=FULL`;
  /// `faults`, for tests, can make its writes fail.
  public init(path: String, faults: StorageFaults? = nil) throws {
    var configuration = Configuration()
    configuration.prepareDatabase { db in
      try db.execute(sql: "PRAGMA busy_timeout = 5000")
    }
    pool = try DatabasePool(path: path, configuration: configuration)
    // DatabasePool sets synchronous=NORMAL when it enables WAL: a power loss could then lose
    // acknowledged writes. Set FULL afterwards on the single writer connection.
    try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
    try EventStoreSchema.migrator.migrate(pool)
    if let faults { try pool.writeWithoutTransaction { try faults.install(on: $0) } }
  }

  /// Closes the log (checkpointing its WAL); nothing may use the store afterwards.
  /// Its WAL is checkpointed into the main file first (GRDB closes the writer before the
  /// read-only connections, and the last of those cannot checkpoint).
  public func close() throws {
    try pool.writeWithoutTransaction { _ = try $0.checkpoint(.truncate) }
    try pool.close()
  }

  /// The writer connection's `PRAGMA synchronous` (2 means FULL).
  public func synchronousMode() throws -> Int {
    try pool.writeWithoutTransaction { try Int.fetchOne($0, sql: "PRAGMA synchronous") ?? -1 }
  }

  /// Runs `body` in one transaction under an idempotency key. A retried key with the same
  /// fingerprint returns the first response without running `body`; with another fingerprint it
  /// is refused with `REQUEST_ID_REUSED`. Storage faults surface as `unavailable`.
  public func perform<Response: Codable & Sendable>(
    _ key: IdempotencyKey, as type: Response.Type = Response.self,
    _ body: (WriteSession) throws(RegistryError) -> Response
  ) throws(RegistryError) -> Response {
    try storageAccess {
      try pool.write { db -> Response in
        if let row = try Row.fetchOne(
          db,
          sql: "SELECT fingerprint, response FROM requests WHERE principal = ? AND request_id = ?",
          arguments: [key.principal, key.requestId])
        {
          guard row["fingerprint"] as String == key.fingerprint else {
            throw RegistryError(
              .alreadyExists, reason: "REQUEST_ID_REUSED",
              message: "request id '\(key.requestId)' was already used for a different request",
              field: "request_id")
          }
          return try JSONCoding.decode(Response.self, from: row["response"])
        }
        let session = WriteSession(db: db, requestId: key.requestId)
        let response = try body(session)
        try db.execute(
          sql:
            "INSERT INTO requests (principal, request_id, fingerprint, response, created_at) VALUES (?, ?, ?, ?, ?)",
          arguments: [
            key.principal, key.requestId, key.fingerprint, try JSONCoding.encode(response), Date(),
          ])
        return response
      }
    }
  }

  /// Runs `body` in one transaction without an idempotency key: for the server's own commands
  /// (the scheduler), which are safe to repeat because they decide from the current state.
  public func perform<Response>(
    systemRequest requestId: String, _ body: (WriteSession) throws(RegistryError) -> Response
  ) throws(RegistryError) -> Response {
    try storageAccess {
      try pool.write { db in try body(WriteSession(db: db, requestId: requestId)) }
    }
  }

  /// Records a refused command in the audit log, in a transaction of its own (the refused
  /// command's transaction rolled back, taking anything it wrote with it).
  public func auditRefusal(_ entry: AuditEntry, requestId: String) throws(RegistryError) {
    try storageAccess {
      try pool.write { db in try AuditChain.append(entry, requestId: requestId, db) }
    }
  }

  /// Reads the write side outside any command (e.g. a listing for its member, evidence for an operator).
  public func read<T>(_ body: (WriteSession) throws(RegistryError) -> T) throws(RegistryError) -> T
  {
    try storageAccess { try pool.read { db in try body(WriteSession(db: db, requestId: "")) } }
  }

  /// Events after `sequence`, oldest first, at most `limit`.
  public func events(after sequence: UInt64, limit: Int) throws -> [LoggedEvent] {
    try pool.read { db in try Self.events(db, after: sequence, limit: limit) }
  }

  /// The hash of the event at `sequence` (nil when the log has none), to check a read model's
  /// position against.
  public func hash(at sequence: UInt64) throws -> String? {
    try pool.read { db in try EventChain.hash(at: sequence, db) }
  }

  /// The newest sequence number in the log (0 when empty).
  public func lastSequence() throws -> UInt64 {
    try pool.read { db in try EventChain.head(db).sequence }
  }

  /// Audit rows after `id`, oldest first, at most `limit`.
  public func auditLog(after id: Int64 = 0, limit: Int = .max) throws -> [AuditRecord] {
    try pool.read { db in
      try Row.fetchAll(
        db, sql: "SELECT * FROM audit WHERE id > ? ORDER BY id LIMIT ?", arguments: [id, limit]
      ).map { row in
        AuditRecord(
          id: row["id"], at: row["at"], actor: row["actor"], action: row["action"],
          target: row["target"],
          detail: row["detail"], requestId: row["request_id"], previousHash: row["previous_hash"],
          hash: row["hash"])
      }
    }
  }

  /// Checks the audit chain (incrementally: rows added since the last check); the id of the
  /// first row that does not match, or nil.
  public func firstBrokenAuditRow() throws -> Int64? {
    try auditVerifier.firstBrokenRow { afterId, limit in try auditLog(after: afterId, limit: limit)
    }
  }

  /// Whether a certificate serial was issued (and recorded) here, whether it was revoked, and
  /// whether the member it names is suspended.
  public func certificateStatus(serialHex: String) throws -> CertificateStatus {
    try pool.read { db in
      guard
        let row = try Row.fetchOne(
          db.cachedStatement(
            sql: """
              SELECT certificates.revoked_at IS NOT NULL AS revoked, members.status AS status
              FROM certificates LEFT JOIN members
                ON certificates.principal = 'overdue:member:' || members.member_id
              WHERE certificates.serial_hex = ?
              """),
          arguments: [serialHex])
      else { return .unknown }
      if row["revoked"] as Bool { return .revoked }
      return row["status"] as String? == Member.Status.suspended.rawValue ? .suspended : .valid
    }
  }

  /// Records a certificate issued outside a command (the operators' own, read at start); one
  /// already recorded keeps its record, revocation included.
  public func recordCertificateIfNew(_ certificate: IssuedCertificate) throws(RegistryError) {
    try storageAccess {
      try pool.write { db in
        try db.execute(
          sql: """
            INSERT OR IGNORE INTO certificates (serial_hex, principal, not_after, issued_at)
            VALUES (?, ?, ?, ?)
            """,
          arguments: [certificate.serialHex, certificate.principal, certificate.notAfter, Date()])
      }
    }
  }

  static func events(_ db: Database, after sequence: UInt64, limit: Int) throws -> [LoggedEvent] {
    let rows = try Row.fetchAll(
      db,
      sql:
        "SELECT sequence, payload, hash FROM events WHERE sequence > ? ORDER BY sequence LIMIT ?",
      arguments: [sequence, limit])
    return try rows.map { row in
      LoggedEvent(
        sequence: row["sequence"],
        event: try JSONCoding.decode(RegistryEvent.self, from: row["payload"]), hash: row["hash"])
    }
  }
}
