import GRDB
public import OverdueCore

/// Members' watchlists, on the write side: each row a party as the member watches it, with the
/// key a check groups it under (its PAN when linked, else scheme and value).
extension WriteSession {
  /// Adds parties to a member's watchlist (those already on it are left alone); refused beyond
  /// `maximum` parties in all. Returns how many were added and how many are watched now.
  public func watch(_ parties: [PartyIdentifier], memberId: String, maximum: Int)
    throws(RegistryError) -> (changed: Int, watched: Int)
  {
    try storageAccess {
      var changed = 0
      for party in parties {
        try db.execute(
          sql: """
            INSERT OR IGNORE INTO watchlists (member_id, scheme, value, party_key)
            VALUES (?, ?, ?, ?)
            """,
          arguments: [
            memberId, party.scheme.rawValue, party.value,
            Listing.debtKey(party: party, pan: party.linkedPAN),
          ])
        changed += db.changesCount
      }
      let watched = try Self.watchedCount(db, memberId: memberId)
      guard watched <= maximum else {
        throw RegistryError(
          .resourceExhausted, reason: "WATCHLIST_FULL",
          message: "a watchlist holds at most \(maximum) parties; this would make it \(watched)",
          field: "parties")
      }
      return (changed, watched)
    }
  }

  /// Removes parties from a member's watchlist; returns how many were removed and how many remain.
  public func unwatch(_ parties: [PartyIdentifier], memberId: String) throws(RegistryError) -> (
    changed: Int, watched: Int
  ) {
    try storageAccess {
      var changed = 0
      for party in parties {
        try db.execute(
          sql: "DELETE FROM watchlists WHERE member_id = ? AND scheme = ? AND value = ?",
          arguments: [memberId, party.scheme.rawValue, party.value])
        changed += db.changesCount
      }
      return (changed, try Self.watchedCount(db, memberId: memberId))
    }
  }

  /// The newest sequence in the log: a watchlist change applies to the changes after it.
  public func lastSequence() throws(RegistryError) -> UInt64 {
    try storageAccess { try EventChain.head(db).sequence }
  }

  static func watchedCount(_ db: Database, memberId: String) throws -> Int {
    try Int.fetchOne(
      db, sql: "SELECT COUNT(*) FROM watchlists WHERE member_id = ?", arguments: [memberId]) ?? 0
  }
}

extension EventStore {
  /// A page of a member's watchlist in identifier order, after `cursor` (`scheme:value`).
  public func watchlist(memberId: String, after cursor: String, limit: Int) throws
    -> [PartyIdentifier]
  {
    try pool.read { db in
      try Row.fetchAll(
        db,
        sql: """
          SELECT scheme, value FROM watchlists
          WHERE member_id = ? AND scheme || ':' || value > ?
          ORDER BY scheme || ':' || value LIMIT ?
          """,
        arguments: [memberId, cursor, limit]
      ).map { row in
        PartyIdentifier(unchecked: IdentifierScheme(rawValue: row["scheme"]) ?? .reg, row["value"])
      }
    }
  }

  /// Every party a member watches, by the key a listing is matched on.
  public func watchedParties(memberId: String) throws -> [String: [PartyIdentifier]] {
    try pool.read { db in
      var parties: [String: [PartyIdentifier]] = [:]
      for row in try Row.fetchAll(
        db, sql: "SELECT party_key, scheme, value FROM watchlists WHERE member_id = ?",
        arguments: [memberId])
      {
        parties[row["party_key"], default: []].append(
          PartyIdentifier(
            unchecked: IdentifierScheme(rawValue: row["scheme"]) ?? .reg, row["value"]))
      }
      return parties
    }
  }
}
