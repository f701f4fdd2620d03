/// A refusal from the registry: a code saying what kind, a stable reason, and the offending field.
public struct RegistryError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The kind of refusal; the server maps each to one gRPC status code.
  public enum Code: String, Sendable, Equatable {
    case invalidArgument
    case notFound
    case failedPrecondition
    case alreadyExists
    case permissionDenied
    case unauthenticated
    case unavailable
    /// More than the caller's share (a quota); retrying soon will not help.
    case resourceExhausted
    /// A fault of the registry's own; the message is generic and the detail is in `underlying`.
    case `internal`
  }

  public var code: Code
  /// A stable machine-readable reason, e.g. `INVALID_CHECK_CHARACTER`.
  public var reason: String
  /// A sentence for people.
  public var message: String
  /// The request field at fault (for bad input), e.g. `party.value` or `invoices[1].due_on`.
  public var field: String?
  /// What went wrong underneath (e.g. the storage's own error), for the log; never sent to callers.
  public var underlying: String?

  public init(
    _ code: Code, reason: String, message: String, field: String? = nil, underlying: String? = nil
  ) {
    self.code = code
    self.reason = reason
    self.message = message
    self.field = field
    self.underlying = underlying
  }

  public var description: String { "\(code.rawValue) \(reason): \(message)" }

  /// Bad input in one field.
  public static func invalid(_ field: String, _ reason: String, _ message: String) -> Self {
    Self(.invalidArgument, reason: reason, message: message, field: field)
  }

  /// A rule or the listing's state forbids the command.
  public static func precondition(_ reason: String, _ message: String) -> Self {
    Self(.failedPrecondition, reason: reason, message: message)
  }

  /// The same error reported against another field name (e.g. nested in a request).
  public func at(field: String) -> Self {
    var copy = self
    copy.field = field
    return copy
  }
}
