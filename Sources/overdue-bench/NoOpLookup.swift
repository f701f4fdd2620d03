import GRPCCore
import OverdueAPI

/// A Lookup service that does no work: every party is CLEAR. Run on the same transport, it gives
/// the ceiling the real service is measured against.
struct NoOpLookup: Overdue_V1_Lookup.SimpleServiceProtocol {
  func checkParty(request: Overdue_V1_CheckPartyRequest, context: ServerContext) async throws
    -> Overdue_V1_PartyReport
  {
    var report = Overdue_V1_PartyReport()
    report.party = request.party
    report.status = .clear
    return report
  }

  func searchParties(request: Overdue_V1_SearchPartiesRequest, context: ServerContext) async throws
    -> Overdue_V1_SearchPartiesResponse
  {
    Overdue_V1_SearchPartiesResponse()
  }

  func batchCheck(
    request: RPCAsyncSequence<Overdue_V1_BatchCheckRequest, any Error>,
    response: RPCWriter<Overdue_V1_BatchCheckResponse>, context: ServerContext
  ) async throws {
    for try await chunk in request {
      var message = Overdue_V1_BatchCheckResponse()
      message.results = chunk.items.map { item in
        var result = Overdue_V1_BatchResult()
        result.correlationID = item.correlationID
        result.report.party = item.party
        result.report.status = .clear
        return result
      }
      try await response.write(message)
    }
  }
}
