import GRPCCore
import OverdueAPI
import OverdueCore

/// Public checks. On the member listener the caller is registered and sees member names.
struct LookupService: Overdue_V1_Lookup.SimpleServiceProtocol {
  let registry: Registry

  func checkParty(request: Overdue_V1_CheckPartyRequest, context: ServerContext) async throws
    -> Overdue_V1_PartyReport
  {
    try await mappingErrors { () async throws(RegistryError) in
      let identifier = try RequestParsing.party(request.party)
      let (record, assessment) = try await registry.report(
        for: identifier, minSequence: request.minSequence)
      return Overdue_V1_PartyReport(
        record: record, assessment: assessment, showMemberNames: context.actor != nil,
        asOf: registry.clock.now())
    }
  }

  func searchParties(request: Overdue_V1_SearchPartiesRequest, context: ServerContext) async throws
    -> Overdue_V1_SearchPartiesResponse
  {
    throw RPCError(code: .unimplemented, message: "name search is not available yet")
  }

  func batchCheck(
    request: RPCAsyncSequence<Overdue_V1_BatchCheckRequest, any Error>,
    response: RPCWriter<Overdue_V1_BatchCheckResponse>,
    context: ServerContext
  ) async throws {
    throw RPCError(code: .unimplemented, message: "batch checks are not available yet")
  }
}
