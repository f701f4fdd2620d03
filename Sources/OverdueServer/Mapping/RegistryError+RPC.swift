public import GRPCCore
import GRPCProtobuf
public import OverdueCore

extension RegistryError {
  /// The one place where domain refusals become gRPC statuses: `ErrorInfo` with the stable reason,
  /// `BadRequest` field violations for bad input, `PreconditionFailure` for rules, `RetryInfo` when
  /// a retry will help.
  var googleRPCStatus: GoogleRPCStatus {
    var details: [ErrorDetails] = [
      .errorInfo(reason: reason, domain: "overdue.v1", metadata: field.map { ["field": $0] } ?? [:])
    ]
    switch code {
    case .invalidArgument:
      details.append(.badRequest(violations: [.init(field: field ?? "", description: message)]))
    case .failedPrecondition:
      details.append(
        .preconditionFailure(violations: [
          .init(type: reason, subject: field ?? "", description: message)
        ]))
    case .unavailable:
      details.append(.retryInfo(delay: .milliseconds(250)))
    default:
      break
    }
    return GoogleRPCStatus(code: rpcCode, message: message, details: details)
  }

  var rpcCode: RPCError.Code {
    switch code {
    case .invalidArgument: return .invalidArgument
    case .notFound: return .notFound
    case .failedPrecondition: return .failedPrecondition
    case .alreadyExists: return .alreadyExists
    case .permissionDenied: return .permissionDenied
    case .unauthenticated: return .unauthenticated
    case .unavailable: return .unavailable
    case .resourceExhausted: return .resourceExhausted
    case .internal: return .internalError
    }
  }
}

/// A refusal thrown anywhere in a call (interceptors included) leaves with its status and details.
extension RegistryError: RPCErrorConvertible {
  public var rpcErrorCode: RPCError.Code { rpcCode }
  public var rpcErrorMessage: String { message }
  public var rpcErrorMetadata: Metadata { RPCError(googleRPCStatus).metadata }
}

/// Runs a handler body, turning registry refusals into gRPC statuses with details.
func mappingErrors<T>(_ body: () async throws(RegistryError) -> T) async throws -> T {
  do {
    return try await body()
  } catch {
    throw error.googleRPCStatus
  }
}
