/// One row of the audit log: who did what to what.
public struct AuditEntry: Sendable, Equatable {
  public var actor: String
  public var action: String
  public var target: String
  public var detail: String

  public init(actor: String, action: String, target: String, detail: String = "") {
    self.actor = actor
    self.action = action
    self.target = target
    self.detail = detail
  }
}
