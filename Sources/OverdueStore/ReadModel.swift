import Foundation
import GRDB
public import OverdueCore
import Synchronization

/// The read side (`read.sqlite`): parties, listings and members as checks need them, fed only by
/// the `Projector`. Lookups are synchronous reads on pooled connections with cached statements.
public final class ReadModel: Sendable {
  let pool: DatabasePool
  let index: PublicPartyIndex
  /// Held for each projection pass (see `Projector.catchUp`).
  let projectionPasses = Mutex(())

  /// Opens (creating and migrating) the read model at `path`; the rows of up to `cachedParties`
  /// listed parties are kept in memory between checks.
  public init(path: String, cachedParties: Int = 100_000) throws {
    var configuration = Configuration()
    configuration.maximumReaderCount = 8
    configuration.prepareDatabase { db in
      try db.execute(sql: "PRAGMA busy_timeout = 5000")
    }
    pool = try DatabasePool(path: path, configuration: configuration)
    try ReadModelSchema.migrator.migrate(pool)
    let (keys, position) = try pool.read { db in (try Self.publicKeys(db), try Self.position(db)) }
    index = PublicPartyIndex(keys: keys, position: position, capacity: cachedParties)
  }

  /// Closes the read model; nothing may use it afterwards.
  /// Its WAL is checkpointed into the main file first (GRDB closes the writer before the
  /// read-only connections, and the last of those cannot checkpoint).
  public func close() throws {
    try pool.writeWithoutTransaction { _ = try $0.checkpoint(.truncate) }
    try pool.close()
  }

  /// The last event sequence number applied (and visible to checks).
  public func position() -> UInt64 { index.position }

  /// Everything public about a party (by PAN when it has one, so sibling GSTINs are included).
  public func party(_ identifier: PartyIdentifier) throws -> PartyRecord {
    try parties([identifier])[0]
  }

  /// Everything public about each party. Clear parties and listed ones read recently come from
  /// the in-memory index; the rest are read in one transaction.
  public func parties(_ identifiers: [PartyIdentifier]) throws -> [PartyRecord] {
    try parties(completing: lookUp(identifiers))
  }

  /// What memory alone says about each identifier; `needsStorage` tells whether completing it
  /// (`parties(completing:)`) will read SQLite.
  public func lookUp(_ identifiers: [PartyIdentifier]) -> PartyLookup {
    let (entries, position, generation) = index.lookup(identifiers)
    return PartyLookup(
      identifiers: identifiers, entries: entries, position: position, generation: generation)
  }

  /// The records of a lookup, reading from SQLite the listed parties memory did not hold.
  public func parties(completing lookup: PartyLookup) throws -> [PartyRecord] {
    let (identifiers, entries, position, generation) = (
      lookup.identifiers, lookup.entries, lookup.position, lookup.generation
    )
    var read: [String: PartyRows] = [:]
    let unread = zip(identifiers, entries).filter { if case .unread = $1 { true } else { false } }
    if !unread.isEmpty {
      try pool.read { db in
        for (identifier, _) in unread {
          read[PublicPartyIndex.key(identifier)] = try Self.rows(db, identifier)
        }
      }
      index.remember(read, generation: generation)
    }
    return zip(identifiers, entries).map { identifier, entry in
      switch entry {
      case .clear:
        PartyRecord(clear: identifier, asOfSequence: position)
      case .remembered(let rows):
        PartyRecord(identifier, rows: rows, asOfSequence: position)
      case .unread:
        PartyRecord(
          identifier, rows: read[PublicPartyIndex.key(identifier)]!, asOfSequence: position)
      }
    }
  }

  /// What the in-memory index said about some identifiers, at one position.
  public struct PartyLookup: Sendable {
    let identifiers: [PartyIdentifier]
    let entries: [PublicPartyIndex.Entry]
    let position: UInt64
    let generation: UInt64

    public var needsStorage: Bool {
      entries.contains { if case .unread = $0 { true } else { false } }
    }
  }

  static func rows(_ db: Database, _ identifier: PartyIdentifier) throws -> PartyRows {
    let listingRows: [String]
    let nameRows: [Row]
    if let pan = identifier.linkedPAN {
      listingRows = try String.fetchAll(
        db.cachedStatement(
          sql:
            "SELECT public_listing FROM listings WHERE pan = ? AND public_listing IS NOT NULL ORDER BY listing_id DESC"
        ),
        arguments: [pan])
      nameRows = try Row.fetchAll(
        db.cachedStatement(
          sql:
            "SELECT scheme, value, legal_name FROM parties WHERE pan = ? OR (scheme = 'PAN' AND value = ?) ORDER BY scheme, value"
        ),
        arguments: [pan, pan])
    } else {
      listingRows = try String.fetchAll(
        db.cachedStatement(
          sql:
            "SELECT public_listing FROM listings WHERE filed_scheme = ? AND filed_value = ? AND public_listing IS NOT NULL ORDER BY listing_id DESC"
        ),
        arguments: [identifier.scheme.rawValue, identifier.value])
      nameRows = try Row.fetchAll(
        db.cachedStatement(
          sql: "SELECT scheme, value, legal_name FROM parties WHERE scheme = ? AND value = ?"),
        arguments: [identifier.scheme.rawValue, identifier.value])
    }
    let listings = try listingRows.map { try JSONCoding.decode(PublicListing.self, from: $0) }
    let names = nameRows.map { row in
      PartyName(
        identifier: PartyIdentifier(
          unchecked: IdentifierScheme(rawValue: row["scheme"]) ?? .reg, row["value"]),
        legalName: row["legal_name"])
    }
    var members: [String: MemberProfile] = [:]
    for memberId in Set(listings.map(\.memberId)) {
      if let row = try Row.fetchOne(
        db.cachedStatement(sql: "SELECT display_name, sector FROM members WHERE member_id = ?"),
        arguments: [memberId])
      {
        members[memberId] = MemberProfile(displayName: row["display_name"], sector: row["sector"])
      }
    }
    return PartyRows(listings: listings, names: names, members: members)
  }

  /// One listing with every detail (for its member or an operator), or nil.
  public func listing(_ id: String) throws -> Listing? {
    try pool.read { db in
      try String.fetchOne(
        db, sql: "SELECT listing FROM listings WHERE listing_id = ?", arguments: [id]
      )
      .map { try JSONCoding.decode(Listing.self, from: $0) }
    }
  }

  /// A page of listings ordered by id, filtered by member and/or state, after `cursor`.
  public func listings(memberId: String?, state: ListingState?, after cursor: String, limit: Int)
    throws -> [Listing]
  {
    try pool.read { db in
      var conditions = ["listing_id > ?"]
      var arguments: StatementArguments = [cursor]
      if let memberId {
        conditions.append("member_id = ?")
        arguments += [memberId]
      }
      if let state {
        conditions.append("state = ?")
        arguments += [state.rawValue]
      }
      arguments += [limit]
      return try String.fetchAll(
        db,
        sql:
          "SELECT listing FROM listings WHERE \(conditions.joined(separator: " AND ")) ORDER BY listing_id LIMIT ?",
        arguments: arguments
      ).map { try JSONCoding.decode(Listing.self, from: $0) }
    }
  }

  /// Parties whose legal name matches `query` (at least 3 characters; prefix, substring and one
  /// typo per word tolerated), best first; a page of `limit` after `offset`.
  public func searchParties(_ query: String, limit: Int, offset: Int) throws -> [PartyName] {
    let pattern = NameSearch.matchExpression(query)
    guard !pattern.isEmpty, offset < NameSearch.maxCandidates else { return [] }
    let candidates = try pool.read { db in
      try Row.fetchAll(
        db.cachedStatement(
          sql: "SELECT scheme, value, legal_name FROM party_names WHERE party_names MATCH ? LIMIT ?"
        ),
        arguments: [pattern, NameSearch.maxCandidates]
      ).map { row in
        PartyName(
          identifier: PartyIdentifier(
            unchecked: IdentifierScheme(rawValue: row["scheme"]) ?? .reg, row["value"]),
          legalName: row["legal_name"])
      }
    }
    return Array(NameSearch.rank(candidates, for: query).dropFirst(offset).prefix(limit))
  }

  /// Ids of listings with a deadline on or before `day`, for the scheduler.
  public func listingIds(withDeadlineBy day: CalendarDate) throws -> [String] {
    try pool.read { db in
      try String.fetchAll(
        db,
        sql:
          "SELECT listing_id FROM listings WHERE next_deadline_day <= ? ORDER BY next_deadline_day, listing_id",
        arguments: [day.dayNumber])
    }
  }

  /// Every table's rows in a stable order, for comparing a projection with a rebuild (which also
  /// records the deadline rules it ran under).
  public func dump() throws -> [String] {
    try pool.read { db in
      var lines = ["projection \(try Self.position(db))"]
      for table in ["parties", "listings", "members"] {
        for row in try Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY 1, 2") {
          lines.append("\(table) \(row.description)")
        }
      }
      return lines
    }
  }

  /// Index keys of every party with public listings.
  static func publicKeys(_ db: Database) throws -> Set<String> {
    Set(
      try Row.fetchAll(db, sql: "SELECT scheme, value, pan FROM parties").map { row in
        Listing.debtKey(
          party: PartyIdentifier(
            unchecked: IdentifierScheme(rawValue: row["scheme"]) ?? .reg, row["value"]),
          pan: row["pan"])
      })
  }

  /// Whether a party key still has a public party row.
  static func hasPublicParty(_ db: Database, key: String) throws -> Bool {
    if key.hasPrefix("PAN:") {
      let pan = String(key.dropFirst(4))
      return try Bool.fetchOne(
        db.cachedStatement(
          sql:
            "SELECT EXISTS (SELECT 1 FROM parties WHERE pan = ? OR (scheme = 'PAN' AND value = ?))"),
        arguments: [pan, pan]) ?? false
    }
    let parts = key.split(separator: ":", maxSplits: 1).map(String.init)
    return try Bool.fetchOne(
      db.cachedStatement(
        sql: "SELECT EXISTS (SELECT 1 FROM parties WHERE scheme = ? AND value = ?)"),
      arguments: [parts[0], parts.count > 1 ? parts[1] : ""]) ?? false
  }

  static func position(_ db: Database) throws -> UInt64 {
    try UInt64.fetchOne(db.cachedStatement(sql: "SELECT sequence FROM projection WHERE id = 1"))
      ?? 0
  }
}
