import GRPCCore
import OverdueAPI
import OverdueCore
import OverdueRegistry
import OverdueStore

/// The Members service's notification methods: the member's webhook, where its alerts go, the
/// reminders of its listings, and the record of every message sent. The member is the one the
/// client certificate names.
extension MembersService {
  func setWebhook(request: Overdue_V1_SetWebhookRequest, context: ServerContext) async throws
    -> Overdue_V1_SetWebhookResponse
  {
    let (actor, memberId) = try Self.member(context)
    return try await mappingErrors { () async throws(RegistryError) in
      let key = try RequestParsing.key(actor, requestId: request.requestID, request: request)
      let receipt = try await registry.setWebhook(
        url: request.url, contactEmail: request.contactEmail, memberId: memberId, key: key)
      var response = Overdue_V1_SetWebhookResponse()
      response.secret = receipt.secret
      response.url = receipt.url
      return response
    }
  }

  func setAlertChannels(request: Overdue_V1_SetAlertChannelsRequest, context: ServerContext)
    async throws -> Overdue_V1_SetAlertChannelsResponse
  {
    let (actor, memberId) = try Self.member(context)
    return try await mappingErrors { () async throws(RegistryError) in
      let key = try RequestParsing.key(actor, requestId: request.requestID, request: request)
      try await registry.setAlertChannels(
        webhook: request.webhook, digestEmail: request.digestEmail, memberId: memberId, key: key)
      return Overdue_V1_SetAlertChannelsResponse()
    }
  }

  func scheduleReminders(request: Overdue_V1_ScheduleRemindersRequest, context: ServerContext)
    async throws -> Overdue_V1_ScheduleRemindersResponse
  {
    let (actor, memberId) = try Self.member(context)
    return try await mappingErrors { () async throws(RegistryError) in
      let key = try RequestParsing.key(actor, requestId: request.requestID, request: request)
      let receipt = try await registry.scheduleReminders(
        ReminderRequest(
          listingId: try RequestParsing.listingId(request.listingID),
          everyDays: Int(request.everyDays),
          channels: try DeliveryMapping.channels(request.channels),
          partyEmail: request.partyEmail, partyPhone: request.partyPhone,
          msmeSupplier: request.msmeSupplier, dltHeader: request.dltHeader,
          dltTemplateId: request.dltTemplateID, paymentInstructions: request.paymentInstructions),
        memberId: memberId, key: key)
      var response = Overdue_V1_ScheduleRemindersResponse()
      response.nextOn = receipt.nextOn?.description ?? ""
      return response
    }
  }

  func listDeliveries(request: Overdue_V1_ListDeliveriesRequest, context: ServerContext)
    async throws -> Overdue_V1_ListDeliveriesResponse
  {
    let (_, memberId) = try Self.member(context)
    return try await mappingErrors { () async throws(RegistryError) in
      let (limit, cursor) = RequestParsing.page(size: request.pageSize, token: request.pageToken)
      guard request.pageToken.isEmpty || EventStore.isDeliveryCursor(cursor) else {
        throw RegistryError.invalid(
          "page_token", "INVALID_PAGE_TOKEN", "page_token is not one this server gave")
      }
      let listingId =
        request.listingID.isEmpty ? nil : try RequestParsing.listingId(request.listingID)
      let deliveries = try await registry.deliveries(
        memberId: memberId, listingId: listingId, after: cursor, limit: limit)
      var response = Overdue_V1_ListDeliveriesResponse()
      response.deliveries = deliveries.map(DeliveryMapping.delivery)
      if deliveries.count == limit, let last = deliveries.last {
        response.nextPageToken = RequestParsing.pageToken(
          cursor: EventStore.deliveryCursor(after: last))
      }
      return response
    }
  }
}
