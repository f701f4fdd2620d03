public import Foundation
import GRDB
public import OverdueCore

/// A message the registry decided to send, exactly as every attempt sends it: its id is its
/// identity (`Message-ID`, `webhook-id`) and its content never changes once queued.
public struct OutboxMessage: Codable, Sendable, Equatable {
  public var id: String
  public var kind: MessageKind
  public var channel: DeliveryChannel
  public var reminderChannel: ReminderChannel?
  public var memberId: String
  public var listingId: String
  /// An e-mail address, or the webhook URL when the message was queued.
  public var recipient: String
  public var subject: String
  /// E-mail parts.
  public var text: String
  public var html: String
  /// A webhook's JSON body, `{type, timestamp, data}`.
  public var webhookBody: String
  public var createdAt: Date

  public init(
    id: String, kind: MessageKind, channel: DeliveryChannel,
    reminderChannel: ReminderChannel? = nil,
    memberId: String, listingId: String, recipient: String, subject: String, text: String = "",
    html: String = "", webhookBody: String = "", createdAt: Date
  ) {
    self.id = id
    self.kind = kind
    self.channel = channel
    self.reminderChannel = reminderChannel
    self.memberId = memberId
    self.listingId = listingId
    self.recipient = recipient
    self.subject = subject
    self.text = text
    self.html = html
    self.webhookBody = webhookBody
    self.createdAt = createdAt
  }
}

/// One delivery attempt, as recorded.
public struct DeliveryAttempt: Codable, Sendable, Equatable {
  public var number: Int
  public var at: Date
  public var outcome: AttemptOutcome
  /// The SMTP reply, the HTTP status, or why it was not tried.
  public var detail: String
  public var latencyMilliseconds: Int

  public init(
    number: Int, at: Date, outcome: AttemptOutcome, detail: String, latencyMilliseconds: Int
  ) {
    self.number = number
    self.at = at
    self.outcome = outcome
    self.detail = detail
    self.latencyMilliseconds = latencyMilliseconds
  }
}

/// A message with where it stands.
public struct Delivery: Sendable, Equatable {
  public var message: OutboxMessage
  public var status: DeliveryStatus
  /// Attempts made so far (deferrals and cancellations not counted).
  public var attemptsMade: Int
  public var nextAttemptAt: Date?
  public var attempts: [DeliveryAttempt]
}

extension WriteSession {
  /// Queues a message in this transaction; a message already queued under its id is left as it
  /// is (so a repeated decision never sends twice). Returns whether it was new.
  @discardableResult
  public func enqueue(_ message: OutboxMessage) throws(RegistryError) -> Bool {
    try storageAccess {
      try db.execute(
        sql: """
          INSERT OR IGNORE INTO outbox
            (message_id, member_id, listing_id, status, attempts, next_attempt_at, created_at, message)
          VALUES (?, ?, ?, ?, 0, ?, ?, ?)
          """,
        arguments: [
          message.id, message.memberId, message.listingId, DeliveryStatus.pending.rawValue,
          message.createdAt.timeIntervalSince1970, message.createdAt.timeIntervalSince1970,
          try JSONCoding.encode(message),
        ])
      return db.changesCount > 0
    }
  }

  /// Records an attempt and where the message stands after it (`nextAttemptAt` while pending).
  /// An attempt that was not made (deferred, cancelled) does not count towards the retries.
  public func record(
    _ attempt: DeliveryAttempt, messageId: String, status: DeliveryStatus, attemptsMade: Int,
    nextAttemptAt: Date?
  ) throws(RegistryError) {
    try storageAccess {
      try db.execute(
        sql: "INSERT INTO delivery_attempts (message_id, number, attempt) VALUES (?, ?, ?)",
        arguments: [messageId, attempt.number, try JSONCoding.encode(attempt)])
      try db.execute(
        sql: """
          UPDATE outbox SET status = ?, attempts = ?, next_attempt_at = ? WHERE message_id = ?
          """,
        arguments: [
          status.rawValue, attemptsMade, (nextAttemptAt ?? .distantFuture).timeIntervalSince1970,
          messageId,
        ])
    }
  }
}

extension EventStore {
  /// Pending messages due by `now`, oldest due first, of the first `limit` due those `isWanted`
  /// accepts (it sees each one's id, member and channel, in order), with the attempts made so far
  /// and the number the next attempt row takes. Only the messages wanted are decoded.
  public func dueMessages(
    by now: Date, limit: Int,
    where isWanted: (_ id: String, _ memberId: String, _ channel: DeliveryChannel) -> Bool = {
      _, _, _ in true
    }
  ) throws -> [(message: OutboxMessage, attemptsMade: Int, nextNumber: Int)] {
    try pool.read { db in
      let rows = try Row.fetchCursor(
        db,
        sql: """
          SELECT message_id, member_id, json_extract(message, '$.channel') AS channel, message,
            attempts,
            (SELECT COUNT(*) FROM delivery_attempts a WHERE a.message_id = outbox.message_id) AS rows
          FROM outbox WHERE status = ? AND next_attempt_at <= ?
          ORDER BY next_attempt_at LIMIT ?
          """,
        arguments: [DeliveryStatus.pending.rawValue, now.timeIntervalSince1970, limit])
      var due: [(message: OutboxMessage, attemptsMade: Int, nextNumber: Int)] = []
      while let row = try rows.next() {
        let channel = (row["channel"] as String?).flatMap(DeliveryChannel.init(rawValue:))
        if let channel, !isWanted(row["message_id"], row["member_id"], channel) { continue }
        let message = try JSONCoding.decode(OutboxMessage.self, from: row["message"])
        if channel == nil, !isWanted(message.id, message.memberId, message.channel) { continue }
        due.append((message, row["attempts"], (row["rows"] as Int) + 1))
      }
      return due
    }
  }

  /// When the earliest pending message is due (nil: none is pending).
  public func nextDueAt() throws -> Date? {
    try pool.read { db in
      try Double.fetchOne(
        db, sql: "SELECT MIN(next_attempt_at) FROM outbox WHERE status = ?",
        arguments: [DeliveryStatus.pending.rawValue]
      ).map(Date.init(timeIntervalSince1970:))
    }
  }

  /// Messages by status (for figures and tests).
  public func outboxCounts() throws -> [DeliveryStatus: Int] {
    try pool.read { db in
      var counts: [DeliveryStatus: Int] = [:]
      for row in try Row.fetchAll(
        db, sql: "SELECT status, COUNT(*) AS n FROM outbox GROUP BY status")
      {
        if let status = DeliveryStatus(rawValue: row["status"]) { counts[status] = row["n"] }
      }
      return counts
    }
  }

  /// A member's messages (optionally of one listing), newest first, after the page cursor
  /// `createdAt:messageId` (empty: from the newest), each with its attempts.
  public func deliveries(memberId: String, listingId: String?, after cursor: String, limit: Int)
    throws -> [Delivery]
  {
    let (cursorTime, cursorId) = Self.deliveryCursor(cursor)
    return try pool.read { db in
      // The listing's own index when one is asked for, the member's otherwise.
      let scope = listingId == nil ? "member_id = ?" : "listing_id = ? AND member_id = ?"
      let scopeArguments: StatementArguments =
        listingId.map { [$0, memberId] } ?? [memberId]
      let rows = try Row.fetchAll(
        db,
        sql: """
          SELECT message_id, status, attempts, next_attempt_at, created_at, message FROM outbox
          WHERE \(scope) AND (created_at < ? OR (created_at = ? AND message_id < ?))
          ORDER BY created_at DESC, message_id DESC LIMIT ?
          """,
        arguments: scopeArguments + [cursorTime, cursorTime, cursorId, limit])
      return try rows.map { row in
        let status = DeliveryStatus(rawValue: row["status"]) ?? .pending
        let attempts = try String.fetchAll(
          db,
          sql: "SELECT attempt FROM delivery_attempts WHERE message_id = ? ORDER BY number",
          arguments: [row["message_id"] as String]
        ).map { try JSONCoding.decode(DeliveryAttempt.self, from: $0) }
        return Delivery(
          message: try JSONCoding.decode(OutboxMessage.self, from: row["message"]),
          status: status, attemptsMade: row["attempts"],
          nextAttemptAt: status == .pending
            ? Date(timeIntervalSince1970: row["next_attempt_at"]) : nil,
          attempts: attempts)
      }
    }
  }

  /// The page cursor after `delivery`.
  public static func deliveryCursor(after delivery: Delivery) -> String {
    "\(delivery.message.createdAt.timeIntervalSince1970):\(delivery.message.id)"
  }

  /// Whether `cursor` is one `deliveryCursor(after:)` makes.
  public static func isDeliveryCursor(_ cursor: String) -> Bool {
    guard let colon = cursor.firstIndex(of: ":") else { return false }
    return Double(cursor[..<colon])?.isFinite == true
  }

  private static func deliveryCursor(_ cursor: String) -> (Double, String) {
    guard let colon = cursor.firstIndex(of: ":"), let time = Double(cursor[..<colon]) else {
      return (.greatestFiniteMagnitude, "")
    }
    return (time, String(cursor[cursor.index(after: colon)...]))
  }
}
