import Foundation
import GRDB
import Synchronization

/// One row of the audit log as read back, with its place in the hash chain.
public struct AuditRecord: Sendable, Equatable {
  public var id: Int64
  public var at: String
  public var actor: String
  public var action: String
  public var target: String
  public var detail: String
  public var requestId: String
  public var previousHash: String
  public var hash: String
}

/// The audit log is hash-chained: each row carries the SHA-256 of its content and the previous
/// row's hash, so changing, removing or reordering a row breaks every hash after it.
enum AuditChain {
  static func hash(
    previous: String, at: String, actor: String, action: String, target: String, detail: String,
    requestId: String
  )
    -> String
  {
    ChainHash.of([previous, at, actor, action, target, detail, requestId])
  }

  static func append(_ entry: AuditEntry, requestId: String, _ db: Database) throws {
    let previous =
      try String.fetchOne(db, sql: "SELECT hash FROM audit ORDER BY id DESC LIMIT 1") ?? ""
    let at = RecordedAt.now()
    let hash = hash(
      previous: previous, at: at, actor: entry.actor, action: entry.action, target: entry.target,
      detail: entry.detail,
      requestId: requestId)
    try db.execute(
      sql: """
        INSERT INTO audit (at, actor, action, target, detail, request_id, previous_hash, hash)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        """,
      arguments: [
        at, entry.actor, entry.action, entry.target, entry.detail, requestId, previous, hash,
      ])
  }

  /// Whether `record` holds its place after a row whose hash is `previous`.
  static func holds(_ record: AuditRecord, after previous: String) -> Bool {
    let expected = hash(
      previous: previous, at: record.at, actor: record.actor, action: record.action,
      target: record.target, detail: record.detail, requestId: record.requestId)
    return record.previousHash == previous && record.hash == expected
  }
}

/// Verifies the audit chain incrementally: rows are read a page at a time from the last row
/// verified (kept in memory), so a check costs the rows added since the previous one, in bounded
/// memory. Rows verified once are not read again in this process: a change to them after that is
/// found by the next process's first check.
final class AuditVerifier: Sendable {
  private struct Checkpoint {
    var id: Int64 = 0
    var hash = ""
    var broken: Int64?
  }

  private let checkpoint = Mutex(Checkpoint())
  let pageSize: Int

  init(pageSize: Int = 1_000) {
    self.pageSize = pageSize
  }

  /// The first row whose hash or link does not match, or nil when the chain holds so far.
  func firstBrokenRow(reading page: (_ afterId: Int64, _ limit: Int) throws -> [AuditRecord])
    throws -> Int64?
  {
    try checkpoint.withLock { checkpoint in
      while checkpoint.broken == nil {
        let rows = try page(checkpoint.id, pageSize)
        for row in rows {
          guard AuditChain.holds(row, after: checkpoint.hash) else {
            checkpoint.broken = row.id
            break
          }
          checkpoint.id = row.id
          checkpoint.hash = row.hash
        }
        if rows.count < pageSize { break }
      }
      return checkpoint.broken
    }
  }
}
