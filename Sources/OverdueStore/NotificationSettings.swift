public import Foundation
import GRDB
public import OverdueCore

/// A member's webhook endpoint: its URL, its signing secrets, and whether it was disabled.
public struct WebhookEndpoint: Codable, Sendable, Equatable {
  public var url: String
  public var secret: String
  /// The secret before the last rotation, still signing until `previousUntil`.
  public var previousSecret: String?
  public var previousUntil: Date?
  /// Told by e-mail when the endpoint is disabled.
  public var contactEmail: String
  public var disabledAt: Date?
  public var disabledReason: String?

  public init(
    url: String, secret: String, previousSecret: String? = nil, previousUntil: Date? = nil,
    contactEmail: String, disabledAt: Date? = nil, disabledReason: String? = nil
  ) {
    self.url = url
    self.secret = secret
    self.previousSecret = previousSecret
    self.previousUntil = previousUntil
    self.contactEmail = contactEmail
    self.disabledAt = disabledAt
    self.disabledReason = disabledReason
  }

  /// The secrets that sign a call made at `now`: the current one, and the previous one during
  /// its 24 hours of grace.
  public func signingSecrets(at now: Date) -> [String] {
    if let previousSecret, let previousUntil, now < previousUntil {
      return [secret, previousSecret]
    }
    return [secret]
  }
}

/// Where a member's watch changes go, and how far each channel has read the log.
public struct AlertSettings: Codable, Sendable, Equatable {
  public var webhook: Bool
  public var digestEmail: String
  /// The last log sequence whose changes were queued for the webhook.
  public var alertCursor: UInt64
  /// The last log sequence the digest covered, and the day it was last sent.
  public var digestCursor: UInt64
  public var lastDigestOn: CalendarDate?

  public init(
    webhook: Bool, digestEmail: String, alertCursor: UInt64, digestCursor: UInt64,
    lastDigestOn: CalendarDate? = nil
  ) {
    self.webhook = webhook
    self.digestEmail = digestEmail
    self.alertCursor = alertCursor
    self.digestCursor = digestCursor
    self.lastDigestOn = lastDigestOn
  }
}

/// The party's contact a member gave for a listing: for the registry's notices, never public.
public struct PartyContact: Codable, Sendable, Equatable {
  public var email: String
  public var phone: String

  public init(email: String, phone: String) {
    self.email = email
    self.phone = phone
  }

  public var isEmpty: Bool { email.isEmpty && phone.isEmpty }
}

extension WriteSession {
  public func webhook(memberId: String) throws(RegistryError) -> WebhookEndpoint? {
    try storageAccess { try Self.webhook(db, memberId: memberId) }
  }

  public func save(_ endpoint: WebhookEndpoint, memberId: String) throws(RegistryError) {
    try storageAccess {
      try db.execute(
        sql: "INSERT OR REPLACE INTO webhook_endpoints (member_id, endpoint) VALUES (?, ?)",
        arguments: [memberId, try JSONCoding.encode(endpoint)])
    }
  }

  public func alertSettings(memberId: String) throws(RegistryError) -> AlertSettings? {
    try storageAccess {
      try String.fetchOne(
        db, sql: "SELECT settings FROM alert_settings WHERE member_id = ?", arguments: [memberId]
      ).map { try JSONCoding.decode(AlertSettings.self, from: $0) }
    }
  }

  public func save(_ settings: AlertSettings, memberId: String) throws(RegistryError) {
    try storageAccess {
      try db.execute(
        sql: "INSERT OR REPLACE INTO alert_settings (member_id, settings) VALUES (?, ?)",
        arguments: [memberId, try JSONCoding.encode(settings)])
    }
  }

  public func reminderSchedule(listingId: String) throws(RegistryError) -> ReminderSchedule? {
    try storageAccess {
      try String.fetchOne(
        db, sql: "SELECT schedule FROM reminder_schedules WHERE listing_id = ?",
        arguments: [listingId]
      ).map { try JSONCoding.decode(ReminderSchedule.self, from: $0) }
    }
  }

  public func save(_ schedule: ReminderSchedule) throws(RegistryError) {
    try storageAccess {
      try db.execute(
        sql: """
          INSERT OR REPLACE INTO reminder_schedules (listing_id, member_id, next_on, schedule)
          VALUES (?, ?, ?, ?)
          """,
        arguments: [
          schedule.listingId, schedule.memberId, schedule.nextOn.description,
          try JSONCoding.encode(schedule),
        ])
    }
  }

  public func deleteReminderSchedule(listingId: String) throws(RegistryError) {
    try storageAccess {
      try db.execute(
        sql: "DELETE FROM reminder_schedules WHERE listing_id = ?", arguments: [listingId])
    }
  }

  public func partyContact(listingId: String) throws(RegistryError) -> PartyContact? {
    try storageAccess {
      try Row.fetchOne(
        db, sql: "SELECT email, phone FROM party_contacts WHERE listing_id = ?",
        arguments: [listingId]
      ).map { PartyContact(email: $0["email"], phone: $0["phone"]) }
    }
  }

  public func save(_ contact: PartyContact, listingId: String) throws(RegistryError) {
    try storageAccess {
      try db.execute(
        sql: "INSERT OR REPLACE INTO party_contacts (listing_id, email, phone) VALUES (?, ?, ?)",
        arguments: [listingId, contact.email, contact.phone])
    }
  }

  static func webhook(_ db: Database, memberId: String) throws -> WebhookEndpoint? {
    try String.fetchOne(
      db, sql: "SELECT endpoint FROM webhook_endpoints WHERE member_id = ?", arguments: [memberId]
    ).map { try JSONCoding.decode(WebhookEndpoint.self, from: $0) }
  }
}

extension EventStore {
  /// A member's webhook endpoint, if it set one.
  public func webhook(memberId: String) throws -> WebhookEndpoint? {
    try pool.read { db in try WriteSession.webhook(db, memberId: memberId) }
  }

  /// Every member's alert settings that send anything.
  public func activeAlertSettings() throws -> [(memberId: String, settings: AlertSettings)] {
    try pool.read { db in
      try Row.fetchAll(db, sql: "SELECT member_id, settings FROM alert_settings").compactMap {
        row in
        let settings = try JSONCoding.decode(AlertSettings.self, from: row["settings"])
        return settings.webhook || !settings.digestEmail.isEmpty
          ? (row["member_id"], settings) : nil
      }
    }
  }

  /// Reminder schedules whose next reminder may go out by `today`.
  public func dueReminderSchedules(by today: CalendarDate, limit: Int) throws -> [ReminderSchedule]
  {
    try pool.read { db in
      try String.fetchAll(
        db,
        sql: "SELECT schedule FROM reminder_schedules WHERE next_on <= ? ORDER BY next_on LIMIT ?",
        arguments: [today.description, limit]
      ).map { try JSONCoding.decode(ReminderSchedule.self, from: $0) }
    }
  }
}
