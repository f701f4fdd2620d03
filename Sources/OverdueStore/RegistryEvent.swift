public import OverdueCore

/// One entry of the event log: a change to a listing or to a member.
public enum RegistryEvent: Codable, Sendable, Equatable {
  case listing(id: String, ListingEvent)
  case member(id: String, MemberEvent)

  /// The stream the event belongs to, e.g. `listing:L-…` or `member:M-…`.
  public var stream: String {
    switch self {
    case .listing(let id, _): return "listing:\(id)"
    case .member(let id, _): return "member:\(id)"
    }
  }

  public var name: String {
    switch self {
    case .listing(_, let event): return event.name
    case .member(_, let event): return event.name
    }
  }
}

/// An event as the log holds it, with its sequence number.
public struct LoggedEvent: Sendable, Equatable {
  public var sequence: UInt64
  public var event: RegistryEvent
  /// The event's place in the log's hash chain.
  public var hash: String = ""
}
