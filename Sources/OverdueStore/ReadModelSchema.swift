import GRDB

/// The read side's migrations. The read model can always be dropped and rebuilt from the log.
enum ReadModelSchema {
  static var migrator: DatabaseMigrator {
    var migrator = DatabaseMigrator()
    migrator.registerMigration("v1") { db in
      try db.execute(
        sql: """
          CREATE TABLE projection (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            sequence INTEGER NOT NULL
          );
          INSERT INTO projection (id, sequence) VALUES (1, 0);
          CREATE TABLE parties (
            scheme TEXT NOT NULL,
            value TEXT NOT NULL,
            pan TEXT,
            legal_name TEXT NOT NULL,
            PRIMARY KEY (scheme, value)
          );
          CREATE INDEX parties_by_pan ON parties (pan) WHERE pan IS NOT NULL;
          CREATE TABLE listings (
            listing_id TEXT PRIMARY KEY,
            member_id TEXT NOT NULL,
            state TEXT NOT NULL,
            filed_scheme TEXT NOT NULL,
            filed_value TEXT NOT NULL,
            pan TEXT,
            listing TEXT NOT NULL,
            public_listing TEXT
          );
          CREATE INDEX listings_by_party ON listings (filed_scheme, filed_value);
          CREATE INDEX listings_by_pan ON listings (pan) WHERE pan IS NOT NULL;
          CREATE INDEX listings_by_member ON listings (member_id, listing_id);
          CREATE INDEX listings_by_state ON listings (state, listing_id);
          CREATE TABLE members (
            member_id TEXT PRIMARY KEY,
            display_name TEXT NOT NULL,
            sector TEXT NOT NULL,
            status TEXT NOT NULL
          );
          """)
    }
    migrator.registerMigration("v2-name-search") { db in
      // Names of parties with public listings, for typo-tolerant search (trigram overlap); each row
      // shares its rowid with the party's row in `parties`.
      try db.execute(
        sql: """
          CREATE VIRTUAL TABLE party_names USING fts5(
            scheme UNINDEXED, value UNINDEXED, legal_name, tokenize = 'trigram');
          INSERT INTO party_names (rowid, scheme, value, legal_name)
            SELECT rowid, scheme, value, legal_name FROM parties;
          """)
    }
    migrator.registerMigration("v3-deadlines") { db in
      // The first day the scheduler has something to do for each listing, computed under the
      // deadline rules named in `projection.deadline_rules`; '' there makes the projector rebuild.
      try db.execute(
        sql: """
          ALTER TABLE listings ADD COLUMN next_deadline TEXT;
          CREATE INDEX listings_by_deadline ON listings (next_deadline)
            WHERE next_deadline IS NOT NULL;
          ALTER TABLE projection ADD COLUMN deadline_rules TEXT NOT NULL DEFAULT '';
          """)
    }
    migrator.registerMigration("v4-listing-sequences-and-deadline-days") { db in
      // Public listings now carry the log sequences of their listing and settlement (repeat
      // defaulters are judged by log order), and the scheduler compares deadlines as day numbers,
      // not as text; the projection records the hash of the last event it applied, to find a read
      // model that is ahead of its log or was built from another: rows projected before need a
      // rebuild.
      try db.execute(
        sql: """
          DROP INDEX listings_by_deadline;
          ALTER TABLE listings DROP COLUMN next_deadline;
          ALTER TABLE listings ADD COLUMN next_deadline_day INTEGER;
          CREATE INDEX listings_by_deadline_day ON listings (next_deadline_day)
            WHERE next_deadline_day IS NOT NULL;
          ALTER TABLE projection ADD COLUMN last_hash TEXT NOT NULL DEFAULT '';
          UPDATE projection SET deadline_rules = '';
          """)
    }
    return migrator
  }
}
