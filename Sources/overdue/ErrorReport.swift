import GRPCCore
import GRPCProtobuf

/// Turns a gRPC error into lines a person can act on.
enum ErrorReport {
  static func describe(_ error: RPCError) -> String {
    var lines = ["error: \(error.code): \(error.message)"]
    if let status = try? error.unpackGoogleRPCStatus() {
      for detail in status.details {
        if let info = detail.errorInfo {
          lines.append("  reason: \(info.reason)")
        }
        if let badRequest = detail.badRequest {
          for violation in badRequest.violations {
            lines.append("  field \(violation.field): \(violation.violationDescription)")
          }
        }
        if let retry = detail.retryInfo {
          lines.append("  retry after \(retry.delay)")
        }
      }
    }
    return lines.joined(separator: "\n")
  }
}
