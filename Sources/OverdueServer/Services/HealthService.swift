import GRPCCore
import OverdueAPI

/// `grpc.health.v1.Health` on the public listener: SERVING while the server runs.
struct HealthService: Grpc_Health_V1_Health.SimpleServiceProtocol {
  static let servedNames: Set<String> = ["", "overdue.v1.Lookup"]

  func check(request: Grpc_Health_V1_HealthCheckRequest, context: ServerContext) async throws
    -> Grpc_Health_V1_HealthCheckResponse
  {
    guard Self.servedNames.contains(request.service) else {
      throw RPCError(code: .notFound, message: "unknown service '\(request.service)'")
    }
    var response = Grpc_Health_V1_HealthCheckResponse()
    response.status = .serving
    return response
  }

  func watch(
    request: Grpc_Health_V1_HealthCheckRequest,
    response: RPCWriter<Grpc_Health_V1_HealthCheckResponse>, context: ServerContext
  ) async throws {
    var status = Grpc_Health_V1_HealthCheckResponse()
    status.status = Self.servedNames.contains(request.service) ? .serving : .serviceUnknown
    try await response.write(status)
    try await Task.sleep(for: .seconds(365 * 86_400))
  }
}
