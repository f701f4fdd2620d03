import GRPCCore
import OverdueAPI
import OverdueCore
import OverdueRegistry
import OverdueStore
import SwiftProtobuf

/// Registry staff's work. The authentication interceptor admits only operator certificates.
struct OperatorService: Overdue_V1_Operator.SimpleServiceProtocol {
  let registry: Registry

  func registerMember(request: Overdue_V1_RegisterMemberRequest, context: ServerContext)
    async throws -> Overdue_V1_Member
  {
    let actor = try context.requireActor()
    return try await mappingErrors { () async throws(RegistryError) in
      let key = try RequestParsing.key(actor, requestId: request.requestID, request: request)
      let identifier = try RequestParsing.party(request.identifier, field: "identifier")
      return .init(
        try await registry.registerMember(
          displayName: request.displayName, identifier: identifier, sector: request.sector,
          actor: actor, key: key))
    }
  }

  func issueMemberCertificate(
    request: Overdue_V1_IssueMemberCertificateRequest, context: ServerContext
  ) async throws -> Overdue_V1_IssueMemberCertificateResponse {
    let actor = try context.requireActor()
    return try await mappingErrors { () async throws(RegistryError) in
      let key = try RequestParsing.key(actor, requestId: request.requestID, request: request)
      try InputBounds.check(
        request.csrPem, field: "csr_pem", max: InputBounds.csrPEM, kind: .text)
      let receipt = try await registry.issueCertificate(
        memberId: try RequestParsing.memberId(request.memberID),
        csrPEM: request.csrPem.isEmpty ? nil : request.csrPem,
        actor: actor, key: key)
      var response = Overdue_V1_IssueMemberCertificateResponse()
      response.certificatePem = receipt.certificatePEM
      response.caCertificatePem = receipt.caCertificatePEM
      response.serialHex = receipt.serialHex
      response.privateKeyPem = receipt.privateKeyPEM ?? ""
      return response
    }
  }

  func revokeCertificate(request: Overdue_V1_RevokeCertificateRequest, context: ServerContext)
    async throws -> Overdue_V1_RevokeCertificateResponse
  {
    let actor = try context.requireActor()
    return try await mappingErrors { () async throws(RegistryError) in
      let key = try RequestParsing.key(actor, requestId: request.requestID, request: request)
      try InputBounds.check(request.serialHex, field: "serial_hex", max: 128, kind: .line)
      let receipt = try await registry.revokeCertificate(
        serialHex: request.serialHex, reason: try RequestParsing.reason(request.reason),
        actor: actor, key: key)
      var response = Overdue_V1_RevokeCertificateResponse()
      response.serialHex = receipt.serialHex
      return response
    }
  }

  func suspendMember(request: Overdue_V1_SuspendMemberRequest, context: ServerContext) async throws
    -> Overdue_V1_Member
  {
    let actor = try context.requireActor()
    return try await mappingErrors { () async throws(RegistryError) in
      let key = try RequestParsing.key(actor, requestId: request.requestID, request: request)
      return .init(
        try await registry.setMemberSuspended(
          true, memberId: try RequestParsing.memberId(request.memberID),
          reason: try RequestParsing.reason(request.reason), actor: actor, key: key))
    }
  }

  func reinstateMember(request: Overdue_V1_ReinstateMemberRequest, context: ServerContext)
    async throws -> Overdue_V1_Member
  {
    let actor = try context.requireActor()
    return try await mappingErrors { () async throws(RegistryError) in
      let key = try RequestParsing.key(actor, requestId: request.requestID, request: request)
      return .init(
        try await registry.setMemberSuspended(
          false, memberId: try RequestParsing.memberId(request.memberID),
          reason: try RequestParsing.reason(request.reason), actor: actor, key: key))
    }
  }

  func listPendingListings(
    request: Overdue_V1_ListPendingListingsRequest, context: ServerContext
  ) async throws -> Overdue_V1_ListPendingListingsResponse {
    let actor = try context.requireActor()
    return try await mappingErrors { () async throws(RegistryError) in
      let (limit, cursor) = RequestParsing.page(size: request.pageSize, token: request.pageToken)
      let listings = try await registry.listings(
        for: actor, state: .pending, after: cursor, limit: limit)
      var response = Overdue_V1_ListPendingListingsResponse()
      response.listings = listings.map { .init($0) }
      response.nextPageToken = RequestParsing.nextPageToken(listings, limit: limit)
      return response
    }
  }

  func getEvidence(request: Overdue_V1_GetEvidenceRequest, context: ServerContext) async throws
    -> Overdue_V1_GetEvidenceResponse
  {
    try await mappingErrors { () async throws(RegistryError) in
      try InputBounds.check(request.sha256Hex, field: "sha256_hex", max: 64, kind: .line)
      let (reference, stored) = try await registry.evidence(
        listingId: try RequestParsing.listingId(request.listingID),
        sha256Hex: request.sha256Hex.lowercased())
      var response = Overdue_V1_GetEvidenceResponse()
      response.evidence.description_p = reference.description
      response.evidence.contentType = stored.contentType
      response.evidence.content = stored.content
      response.evidence.sha256Hex = stored.sha256Hex
      return response
    }
  }

  func verifyListing(request: Overdue_V1_VerifyListingRequest, context: ServerContext) async throws
    -> Overdue_V1_ListingReceipt
  {
    try await registry.handle(
      request, requestId: request.requestID, listingId: request.listingID, context: context
    ) { () throws(RegistryError) in .verify }
  }

  func rejectListing(request: Overdue_V1_RejectListingRequest, context: ServerContext) async throws
    -> Overdue_V1_ListingReceipt
  {
    try await registry.handle(
      request, requestId: request.requestID, listingId: request.listingID, context: context
    ) { () throws(RegistryError) in
      .reject(reason: request.reason)
    }
  }

  func settleOnPartyProof(request: Overdue_V1_SettleOnPartyProofRequest, context: ServerContext)
    async throws -> Overdue_V1_ListingReceipt
  {
    try await registry.handle(
      request, requestId: request.requestID, listingId: request.listingID, context: context
    ) { () throws(RegistryError) in
      .settleOnPartyProof(
        on: try RequestParsing.date(request.settledOn, field: "settled_on"),
        amountMinor: request.amountMinor, note: request.note)
    }
  }

  func recordDispute(request: Overdue_V1_RecordDisputeRequest, context: ServerContext) async throws
    -> Overdue_V1_ListingReceipt
  {
    try await registry.handle(
      request, requestId: request.requestID, listingId: request.listingID, context: context
    ) { () throws(RegistryError) in
      .recordDispute(
        statement: request.statement,
        raisedOn: request.raisedOn.isEmpty
          ? registry.clock.today : try RequestParsing.date(request.raisedOn, field: "raised_on"))
    }
  }

  func decideDispute(request: Overdue_V1_DecideDisputeRequest, context: ServerContext) async throws
    -> Overdue_V1_ListingReceipt
  {
    try await registry.handle(
      request, requestId: request.requestID, listingId: request.listingID, context: context
    ) { () throws(RegistryError) in
      .decideDispute(outcome: try RequestParsing.outcome(request.outcome), reason: request.reason)
    }
  }

  func listAudit(request: Overdue_V1_ListAuditRequest, context: ServerContext) async throws
    -> Overdue_V1_ListAuditResponse
  {
    try await mappingErrors { () async throws(RegistryError) in
      let limit = request.pageSize <= 0 ? 100 : min(Int(request.pageSize), 1_000)
      let (records, broken) = try await registry.auditLog(after: request.afterID, limit: limit)
      var response = Overdue_V1_ListAuditResponse()
      response.rows = records.map { record in
        var row = Overdue_V1_AuditRow()
        row.id = record.id
        row.at = record.at
        row.actor = record.actor
        row.action = record.action
        row.target = record.target
        row.detail = record.detail
        row.requestID = record.requestId
        row.hash = record.hash
        return row
      }
      response.chainIntact = broken == nil
      response.firstBrokenID = broken ?? 0
      return response
    }
  }
}
