public import OverdueCore

/// What the read model knows about a party, for building a check's report.
public struct PartyRecord: Sendable, Equatable {
  public var identifier: PartyIdentifier
  public var legalName: String
  /// Other identifiers under the same PAN (sibling GSTINs, or the PAN's GSTINs).
  public var related: [PartyIdentifier]
  /// Public listings, newest first.
  public var listings: [PublicListing]
  /// Member id → (display name, sector) for the members behind `listings`.
  public var members: [String: MemberProfile]
  /// The last event sequence number the read model has applied.
  public var asOfSequence: UInt64

  /// A party the registry knows nothing public about.
  init(clear identifier: PartyIdentifier, asOfSequence: UInt64) {
    self.init(
      identifier: identifier, legalName: "", related: [], listings: [], members: [:],
      asOfSequence: asOfSequence)
  }

  init(
    identifier: PartyIdentifier, legalName: String, related: [PartyIdentifier],
    listings: [PublicListing],
    members: [String: MemberProfile], asOfSequence: UInt64
  ) {
    self.identifier = identifier
    self.legalName = legalName
    self.related = related
    self.listings = listings
    self.members = members
    self.asOfSequence = asOfSequence
  }
}

/// What the read model holds under one party key (a PAN, or a scheme and value): the public
/// listings, the parties' names, and the members behind the listings. Read together in one
/// transaction; kept in memory by `PublicPartyIndex` until the projector touches the key.
struct PartyRows: Sendable {
  var listings: [PublicListing]
  var names: [PartyName]
  var members: [String: MemberProfile]
}

extension PartyRecord {
  /// The record as seen from `identifier`: its own name first, the others under the key related.
  init(_ identifier: PartyIdentifier, rows: PartyRows, asOfSequence: UInt64) {
    var related: [PartyIdentifier] = []
    var legalName = ""
    for name in rows.names {
      if name.identifier == identifier {
        legalName = name.legalName
      } else {
        related.append(name.identifier)
      }
      if legalName.isEmpty { legalName = name.legalName }
    }
    self.init(
      identifier: identifier, legalName: legalName, related: related, listings: rows.listings,
      members: rows.members, asOfSequence: asOfSequence)
  }
}

/// The public face of a member: its name and sector.
public struct MemberProfile: Sendable, Equatable {
  public var displayName: String
  public var sector: String
}
