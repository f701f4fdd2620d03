public import OverdueCore
import OverdueStore

extension Registry {
  /// Refuses a caller whose certificate is unknown, revoked or a suspended member's: on every
  /// call, and on every message of a stream, so a connection opened before the change is refused
  /// from its next message on.
  public func requireStanding(serialHex: String, actor: Actor, call: String)
    async throws(RegistryError)
  {
    let refusal: RegistryError
    switch try await certificateStatus(serialHex: serialHex) {
    case .valid:
      return
    case .unknown:
      refusal = RegistryError(
        .unauthenticated, reason: "CERTIFICATE_UNKNOWN",
        message: "the client certificate was not issued by this registry")
    case .revoked:
      refusal = RegistryError(
        .unauthenticated, reason: "CERTIFICATE_REVOKED",
        message: "the client certificate has been revoked")
    case .suspended:
      refusal = RegistryError(
        .permissionDenied, reason: "MEMBER_SUSPENDED",
        message: "\(actor) is suspended; the member listener refuses its calls")
    }
    throw await refuse(refusal, by: actor.description, call: call)
  }

  /// Audits a refusal (who, which call, why) and gives it back to throw.
  public func refuse(_ error: RegistryError, by actor: String, call: String) async -> RegistryError
  {
    await blocking.runIgnoringFailure { [refusals] in
      refusals.record(actor: actor, operation: call, target: "", error: error)
    }
    return error
  }
}
