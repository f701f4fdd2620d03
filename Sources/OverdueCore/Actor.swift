/// Who asks: a member (by id) or an operator (by name), as named by the client certificate.
public enum Actor: Hashable, Sendable, Codable, CustomStringConvertible {
  case member(String)
  case `operator`(String)
  /// The server's own scheduler: time-driven transitions (plan breach, expiry).
  case scheduler

  public var description: String {
    switch self {
    case .member(let id): return "member:\(id)"
    case .operator(let name): return "operator:\(name)"
    case .scheduler: return "scheduler"
    }
  }
}
