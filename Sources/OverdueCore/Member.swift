/// A registered business that may file listings.
public struct Member: Codable, Sendable, Equatable {
  public enum Status: String, Codable, Sendable {
    case active = "ACTIVE"
    case suspended = "SUSPENDED"
  }

  public var id: String
  public var displayName: String
  public var identifier: PartyIdentifier
  public var sector: String
  public var status: Status
  public var sequence: UInt64 = 0

  public init(
    id: String, displayName: String, identifier: PartyIdentifier, sector: String,
    status: Status = .active
  ) {
    self.id = id
    self.displayName = displayName
    self.identifier = identifier
    self.sector = sector
    self.status = status
  }

  /// Whether `party` is this member itself (same identifier, or the same PAN).
  public func isSelf(_ party: PartyIdentifier) -> Bool {
    if party == identifier { return true }
    guard let mine = identifier.linkedPAN, let theirs = party.linkedPAN else { return false }
    return mine == theirs
  }
}

/// Something that happened to a member.
public enum MemberEvent: Codable, Sendable, Equatable {
  case registered(Member)
  case suspended(reason: String)
  case reinstated(reason: String)

  public var name: String {
    switch self {
    case .registered: return "MemberRegistered"
    case .suspended: return "MemberSuspended"
    case .reinstated: return "MemberReinstated"
    }
  }

  /// The member after this event.
  public static func apply(_ event: MemberEvent, to member: Member?, sequence: UInt64) -> Member? {
    var result: Member?
    switch event {
    case .registered(let new): result = new
    case .suspended:
      result = member.map {
        var m = $0; m.status = .suspended; return m
      }
    case .reinstated:
      result = member.map {
        var m = $0; m.status = .active; return m
      }
    }
    result?.sequence = sequence
    return result
  }
}
