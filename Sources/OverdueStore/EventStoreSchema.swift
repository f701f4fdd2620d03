import GRDB

/// The write side's migrations. Never edit one that has shipped; add another.
enum EventStoreSchema {
  static var migrator: DatabaseMigrator {
    var migrator = DatabaseMigrator()
    migrator.registerMigration("v1") { db in
      try db.execute(
        sql: """
          CREATE TABLE events (
            sequence INTEGER PRIMARY KEY AUTOINCREMENT,
            stream TEXT NOT NULL,
            type TEXT NOT NULL,
            payload TEXT NOT NULL,
            request_id TEXT NOT NULL,
            recorded_at TEXT NOT NULL
          );
          CREATE INDEX events_by_stream ON events (stream, sequence);
          CREATE TABLE requests (
            principal TEXT NOT NULL,
            request_id TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            response TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (principal, request_id)
          );
          CREATE TABLE members (
            member_id TEXT PRIMARY KEY,
            identifier TEXT NOT NULL UNIQUE,
            status TEXT NOT NULL,
            member TEXT NOT NULL
          );
          CREATE TABLE certificates (
            serial_hex TEXT PRIMARY KEY,
            principal TEXT NOT NULL,
            not_after TEXT NOT NULL,
            issued_at TEXT NOT NULL,
            revoked_at TEXT,
            revoke_reason TEXT
          );
          CREATE TABLE evidence (
            sha256_hex TEXT PRIMARY KEY,
            content_type TEXT NOT NULL,
            content BLOB NOT NULL
          );
          CREATE TABLE invoice_claims (
            debt_key TEXT NOT NULL,
            invoice_number TEXT NOT NULL,
            issued_on TEXT NOT NULL,
            listing_id TEXT NOT NULL,
            PRIMARY KEY (debt_key, invoice_number, issued_on)
          );
          CREATE INDEX invoice_claims_by_listing ON invoice_claims (listing_id);
          CREATE TABLE audit (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            target TEXT NOT NULL,
            detail TEXT NOT NULL,
            request_id TEXT NOT NULL
          );
          """)
    }
    migrator.registerMigration("v2-audit-chain") { db in
      try db.execute(
        sql: """
          ALTER TABLE audit ADD COLUMN previous_hash TEXT NOT NULL DEFAULT '';
          ALTER TABLE audit ADD COLUMN hash TEXT NOT NULL DEFAULT '';
          """)
    }
    migrator.registerMigration("v3-event-chain") { db in
      try db.execute(
        sql: """
          ALTER TABLE events ADD COLUMN previous_hash TEXT NOT NULL DEFAULT '';
          ALTER TABLE events ADD COLUMN hash TEXT NOT NULL DEFAULT '';
          """)
      try EventChain.chainExisting(db)
    }
    migrator.registerMigration("v4-evidence-usage") { db in
      // Evidence bytes each member has filed, against its quota.
      try db.execute(
        sql: """
          CREATE TABLE evidence_usage (
            member_id TEXT PRIMARY KEY,
            bytes INTEGER NOT NULL
          );
          """)
    }
    migrator.registerMigration("v5-watchlists") { db in
      // Each member's watched parties, as watched, with the key listings are matched on.
      try db.execute(
        sql: """
          CREATE TABLE watchlists (
            member_id TEXT NOT NULL,
            scheme TEXT NOT NULL,
            value TEXT NOT NULL,
            party_key TEXT NOT NULL,
            PRIMARY KEY (member_id, scheme, value)
          );
          CREATE INDEX watchlists_by_key ON watchlists (party_key);
          """)
    }
    migrator.registerMigration("v6-outbox") { db in
      // Messages to deliver (each row written in the transaction that decided to send it) and
      // every attempt; the member's webhook, alert and reminder settings; parties' contacts.
      try db.execute(
        sql: """
          CREATE TABLE outbox (
            message_id TEXT PRIMARY KEY,
            member_id TEXT NOT NULL,
            listing_id TEXT NOT NULL,
            status TEXT NOT NULL,
            attempts INTEGER NOT NULL,
            next_attempt_at REAL NOT NULL,
            created_at REAL NOT NULL,
            message TEXT NOT NULL
          );
          CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
          CREATE INDEX outbox_by_member ON outbox (member_id, created_at);
          CREATE INDEX outbox_by_listing ON outbox (listing_id, created_at);
          CREATE TABLE delivery_attempts (
            message_id TEXT NOT NULL,
            number INTEGER NOT NULL,
            attempt TEXT NOT NULL,
            PRIMARY KEY (message_id, number)
          );
          CREATE TABLE webhook_endpoints (
            member_id TEXT PRIMARY KEY,
            endpoint TEXT NOT NULL
          );
          CREATE TABLE alert_settings (
            member_id TEXT PRIMARY KEY,
            settings TEXT NOT NULL
          );
          CREATE TABLE reminder_schedules (
            listing_id TEXT PRIMARY KEY,
            member_id TEXT NOT NULL,
            next_on TEXT NOT NULL,
            schedule TEXT NOT NULL
          );
          CREATE INDEX reminder_schedules_due ON reminder_schedules (next_on);
          CREATE TABLE party_contacts (
            listing_id TEXT PRIMARY KEY,
            email TEXT NOT NULL,
            phone TEXT NOT NULL
          );
          """)
    }
    return migrator
  }
}
