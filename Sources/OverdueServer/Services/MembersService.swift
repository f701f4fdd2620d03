import GRPCCore
import OverdueAPI
import OverdueCore
import OverdueRegistry
import OverdueStore

/// A member's own listings. The member is the one the client certificate names, never a request field.
struct MembersService: Overdue_V1_Members.SimpleServiceProtocol {
  let registry: Registry
  /// How often an idle watch stream gets a progress message.
  var watchProgressInterval: Duration = .seconds(15)

  func fileDefault(request: Overdue_V1_FileDefaultRequest, context: ServerContext) async throws
    -> Overdue_V1_ListingReceipt
  {
    let actor = try context.requireActor()
    return try await mappingErrors { () async throws(RegistryError) in
      let key = try RequestParsing.key(actor, requestId: request.requestID, request: request)
      let listingId = Identifiers.listing(at: registry.clock.now())
      let (filing, documents) = try RequestParsing.filing(request, listingId: listingId)
      return .init(
        try await registry.run(
          .file(filing), listingId: listingId, actor: actor, key: key, evidence: documents,
          partyContact: PartyContact(email: request.partyEmail, phone: request.partyPhone)))
    }
  }

  func amendListing(request: Overdue_V1_AmendListingRequest, context: ServerContext) async throws
    -> Overdue_V1_ListingReceipt
  {
    let actor = try context.requireActor()
    return try await mappingErrors { () async throws(RegistryError) in
      let key = try RequestParsing.key(actor, requestId: request.requestID, request: request)
      let (references, documents) = try RequestParsing.evidence(
        request.addEvidence, field: "add_evidence")
      let amendment = Amendment(
        legalName: request.legalName.isEmpty ? nil : request.legalName,
        invoices: request.invoices.isEmpty ? nil : try RequestParsing.invoices(request.invoices),
        noticeServedOn: request.noticeServedOn.isEmpty
          ? nil : try RequestParsing.date(request.noticeServedOn, field: "notice_served_on"),
        addedEvidence: references)
      return .init(
        try await registry.run(
          .amend(amendment), listingId: try RequestParsing.listingId(request.listingID),
          actor: actor, key: key, evidence: documents))
    }
  }

  func recordPayment(request: Overdue_V1_RecordPaymentRequest, context: ServerContext) async throws
    -> Overdue_V1_ListingReceipt
  {
    try await registry.handle(
      request, requestId: request.requestID, listingId: request.listingID, context: context
    ) { () throws(RegistryError) in
      .recordPayment(
        Payment(
          amountMinor: request.amountMinor,
          paidOn: try RequestParsing.date(request.paidOn, field: "paid_on"),
          reference: request.reference))
    }
  }

  func agreePaymentPlan(request: Overdue_V1_AgreePaymentPlanRequest, context: ServerContext)
    async throws -> Overdue_V1_ListingReceipt
  {
    try await registry.handle(
      request, requestId: request.requestID, listingId: request.listingID, context: context
    ) { () throws(RegistryError) in
      .agreePlan(try RequestParsing.instalments(request.instalments))
    }
  }

  func confirmSettlement(request: Overdue_V1_ConfirmSettlementRequest, context: ServerContext)
    async throws -> Overdue_V1_ListingReceipt
  {
    try await registry.handle(
      request, requestId: request.requestID, listingId: request.listingID, context: context
    ) { () throws(RegistryError) in
      .confirmSettlement(
        on: try RequestParsing.date(request.settledOn, field: "settled_on"),
        amountMinor: request.amountMinor, note: request.note)
    }
  }

  func withdrawListing(request: Overdue_V1_WithdrawListingRequest, context: ServerContext)
    async throws -> Overdue_V1_ListingReceipt
  {
    try await registry.handle(
      request, requestId: request.requestID, listingId: request.listingID, context: context
    ) { () throws(RegistryError) in
      .withdraw(reason: try RequestParsing.withdrawalReason(request.reason), note: request.note)
    }
  }

  func getListing(request: Overdue_V1_GetListingRequest, context: ServerContext) async throws
    -> Overdue_V1_Listing
  {
    let actor = try context.requireActor()
    return try await mappingErrors { () async throws(RegistryError) in
      .init(try await registry.listing(try RequestParsing.listingId(request.listingID), for: actor))
    }
  }

  func listListings(request: Overdue_V1_ListListingsRequest, context: ServerContext) async throws
    -> Overdue_V1_ListListingsResponse
  {
    let actor = try context.requireActor()
    return try await mappingErrors { () async throws(RegistryError) in
      let (limit, cursor) = RequestParsing.page(size: request.pageSize, token: request.pageToken)
      let listings = try await registry.listings(
        for: actor, state: RequestParsing.state(request.state), after: cursor, limit: limit)
      var response = Overdue_V1_ListListingsResponse()
      response.listings = listings.map { .init($0) }
      response.nextPageToken = RequestParsing.nextPageToken(listings, limit: limit)
      return response
    }
  }
}
