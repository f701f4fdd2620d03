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
}

/// The public face of a member: its name and sector.
public struct MemberProfile: Sendable, Equatable {
  public var displayName: String
  public var sector: String
}
