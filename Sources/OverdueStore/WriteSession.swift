import Foundation
import GRDB
public import OverdueCore

/// The write side inside one transaction: current state for decisions, and appends.
public struct WriteSession {
  let db: Database
  let requestId: String

  /// The listing folded from its events, or nil.
  public func listing(_ id: String) throws(RegistryError) -> Listing? {
    try storageAccess { try EventChain.listing(id, db) }
  }

  /// The member, or nil.
  public func member(_ id: String) throws(RegistryError) -> Member? {
    try storageAccess {
      try String.fetchOne(
        db, sql: "SELECT member FROM members WHERE member_id = ?", arguments: [id]
      )
      .map { try JSONCoding.decode(Member.self, from: $0) }
    }
  }

  /// The member registered under a party identifier, or nil.
  public func member(identifiedBy identifier: PartyIdentifier) throws(RegistryError) -> Member? {
    try storageAccess {
      try String.fetchOne(
        db, sql: "SELECT member FROM members WHERE identifier = ?",
        arguments: [identifier.description]
      )
      .map { try JSONCoding.decode(Member.self, from: $0) }
    }
  }

  /// Invoices claimed against a debtor by listings other than `excluding`, in any state.
  public func claimedInvoices(debtKey: String, excluding listingId: String) throws(RegistryError)
    -> Set<InvoiceKey>
  {
    try storageAccess {
      let rows = try Row.fetchAll(
        db,
        sql:
          "SELECT invoice_number, issued_on FROM invoice_claims WHERE debt_key = ? AND listing_id != ?",
        arguments: [debtKey, listingId])
      return Set(
        rows.compactMap { row in
          CalendarDate(row["issued_on"] as String).map {
            InvoiceKey(number: row["invoice_number"], issuedOn: $0)
          }
        })
    }
  }

  /// Appends events in order and returns the last one's sequence number; keeps the write-side
  /// tables that commands consult (members, invoice claims) in step.
  @discardableResult
  public func append(_ events: [RegistryEvent]) throws(RegistryError) -> UInt64 {
    try storageAccess {
      var (last, previous) = try EventChain.head(db)
      for event in events {
        let sequence = last + 1
        let payload = try JSONCoding.encode(event)
        let recordedAt = RecordedAt.now()
        let hash = EventChain.hash(
          previous: previous, sequence: sequence, stream: event.stream, type: event.name,
          payload: payload, requestId: requestId, recordedAt: recordedAt)
        try db.execute(
          sql: """
            INSERT INTO events
              (sequence, stream, type, payload, request_id, recorded_at, previous_hash, hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """,
          arguments: [
            sequence, event.stream, event.name, payload, requestId, recordedAt, previous, hash,
          ])
        previous = hash
        last = sequence
        try updateState(for: event, sequence: last)
      }
      return last
    }
  }

  /// Stores evidence bytes (content-addressed; storing the same document twice is a no-op) and
  /// charges them to `memberId`, refused when they would take it past `quotaBytes`.
  public func store(_ evidence: [StoredEvidence], chargedTo memberId: String?, quotaBytes: Int64)
    throws(RegistryError)
  {
    if let memberId, !evidence.isEmpty {
      let adding = evidence.reduce(Int64(0)) { $0 + Int64($1.content.count) }
      let used = try storageAccess {
        try Int64.fetchOne(
          db, sql: "SELECT bytes FROM evidence_usage WHERE member_id = ?", arguments: [memberId])
          ?? 0
      }
      guard used + adding <= quotaBytes else {
        throw RegistryError(
          .resourceExhausted, reason: "EVIDENCE_QUOTA_EXCEEDED",
          message:
            "member \(memberId) has filed \(used) bytes of evidence; these \(adding) would pass its quota of \(quotaBytes)",
          field: "evidence")
      }
      try storageAccess {
        try db.execute(
          sql: """
            INSERT INTO evidence_usage (member_id, bytes) VALUES (?, ?)
            ON CONFLICT (member_id) DO UPDATE SET bytes = bytes + excluded.bytes
            """,
          arguments: [memberId, adding])
      }
    }
    try storageAccess {
      for document in evidence {
        try db.execute(
          sql:
            "INSERT OR IGNORE INTO evidence (sha256_hex, content_type, content) VALUES (?, ?, ?)",
          arguments: [document.sha256Hex, document.contentType, document.content])
      }
    }
  }

  /// An evidence document by digest.
  public func evidence(_ sha256Hex: String) throws(RegistryError) -> StoredEvidence? {
    try storageAccess {
      try Row.fetchOne(
        db, sql: "SELECT content_type, content FROM evidence WHERE sha256_hex = ?",
        arguments: [sha256Hex]
      )
      .map {
        StoredEvidence(
          sha256Hex: sha256Hex, contentType: $0["content_type"], content: $0["content"])
      }
    }
  }

  /// Records an issued certificate.
  public func record(_ certificate: IssuedCertificate) throws(RegistryError) {
    try storageAccess {
      try db.execute(
        sql:
          "INSERT INTO certificates (serial_hex, principal, not_after, issued_at) VALUES (?, ?, ?, ?)",
        arguments: [certificate.serialHex, certificate.principal, certificate.notAfter, Date()])
    }
  }

  /// Marks a certificate revoked; false when the serial is unknown.
  public func revokeCertificate(serialHex: String, reason: String) throws(RegistryError) -> Bool {
    try storageAccess {
      try db.execute(
        sql:
          "UPDATE certificates SET revoked_at = ?, revoke_reason = ? WHERE serial_hex = ? AND revoked_at IS NULL",
        arguments: [Date(), reason, serialHex])
      return try Bool.fetchOne(
        db, sql: "SELECT 1 FROM certificates WHERE serial_hex = ?", arguments: [serialHex]) ?? false
    }
  }

  /// Writes an audit row in the same transaction as the change it records.
  public func audit(_ entry: AuditEntry) throws(RegistryError) {
    try storageAccess { try AuditChain.append(entry, requestId: requestId, db) }
  }

  private func updateState(for event: RegistryEvent, sequence: UInt64) throws {
    switch event {
    case .member(let id, let memberEvent):
      let current = try member(id)
      guard let updated = MemberEvent.apply(memberEvent, to: current, sequence: sequence) else {
        return
      }
      try db.execute(
        sql:
          "INSERT OR REPLACE INTO members (member_id, identifier, status, member) VALUES (?, ?, ?, ?)",
        arguments: [
          id, updated.identifier.description, updated.status.rawValue,
          try JSONCoding.encode(updated),
        ])
    case .listing(let id, .filed(let listing)):
      try claim(listing.invoices, debtKey: listing.debtKey, listingId: id)
    case .listing(let id, .amended(_, let invoices, _, _)):
      guard let listing = try self.listing(id) else { return }
      try db.execute(sql: "DELETE FROM invoice_claims WHERE listing_id = ?", arguments: [id])
      try claim(invoices, debtKey: listing.debtKey, listingId: id)
    case .listing:
      break
    }
  }

  private func claim(_ invoices: [Invoice], debtKey: String, listingId: String) throws {
    for invoice in invoices {
      let key = InvoiceKey(invoice)
      try db.execute(
        sql:
          "INSERT INTO invoice_claims (debt_key, invoice_number, issued_on, listing_id) VALUES (?, ?, ?, ?)",
        arguments: [debtKey, key.number, key.issuedOn.description, listingId])
    }
  }
}
