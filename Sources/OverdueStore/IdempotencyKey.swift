/// Identifies one write for retries: who sent it, their request id, and a digest of its content.
public struct IdempotencyKey: Sendable, Equatable {
  public var principal: String
  public var requestId: String
  /// A digest of the request's content: the same id with other content is refused.
  public var fingerprint: String

  public init(principal: String, requestId: String, fingerprint: String) {
    self.principal = principal
    self.requestId = requestId
    self.fingerprint = fingerprint
  }
}
