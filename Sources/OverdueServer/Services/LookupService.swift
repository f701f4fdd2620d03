import GRPCCore
import GRPCProtobuf
import OverdueAPI
import OverdueCore
import OverdueRegistry
import OverdueStore
import SwiftProtobuf

/// Public checks. On the member listener the caller is registered and sees member names.
struct LookupService: RegistrableRPCService {
  let registry: Registry
  /// Bytes after which a BatchCheck answer message is closed.
  let batchAnswerBytes: Int

  /// The generated registration, but for BatchCheck's answers, which are encoded as they are built
  /// (`EncodedBatchCheckResponse`); the wire format is the generated one.
  func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
    registerUnary(Overdue_V1_Lookup.Method.CheckParty.descriptor, with: &router, checkParty)
    registerUnary(Overdue_V1_Lookup.Method.SearchParties.descriptor, with: &router, searchParties)
    router.registerHandler(
      forMethod: Overdue_V1_Lookup.Method.BatchCheck.descriptor,
      deserializer: ProtobufDeserializer<Overdue_V1_BatchCheckRequest>(),
      serializer: EncodedBatchCheckResponseSerializer()
    ) { request, context in
      StreamingServerResponse { writer in
        try await batchCheck(request: request.messages, response: writer, context: context)
        return [:]
      }
    }
  }

  /// A unary method as the generated code registers it: one request message in, one response out.
  private func registerUnary<Request: Message, Response: Message, Transport: ServerTransport>(
    _ method: MethodDescriptor, with router: inout RPCRouter<Transport>,
    _ handler: @escaping @Sendable (Request, ServerContext) async throws -> Response
  ) {
    router.registerHandler(
      forMethod: method, deserializer: ProtobufDeserializer<Request>(),
      serializer: ProtobufSerializer<Response>()
    ) { request, context in
      let request = try await ServerRequest(stream: request)
      return StreamingServerResponse(
        single: ServerResponse(message: try await handler(request.message, context)))
    }
  }

  func checkParty(request: Overdue_V1_CheckPartyRequest, context: ServerContext) async throws
    -> Overdue_V1_PartyReport
  {
    try await mappingErrors { () async throws(RegistryError) in
      let identifier = try RequestParsing.party(request.party)
      let (record, assessment) = try await registry.report(
        for: identifier, minSequence: request.minSequence)
      return Overdue_V1_PartyReport(
        record: record, assessment: assessment, showMemberNames: context.actor != nil,
        asOf: Google_Protobuf_Timestamp(date: registry.clock.now()))
    }
  }

  func searchParties(request: Overdue_V1_SearchPartiesRequest, context: ServerContext) async throws
    -> Overdue_V1_SearchPartiesResponse
  {
    try await mappingErrors { () async throws(RegistryError) in
      let limit = request.pageSize <= 0 ? 20 : min(Int(request.pageSize), 50)
      let offset = try RequestParsing.offset(fromPageToken: request.pageToken)
      let matches = try await registry.searchParties(request.query, limit: limit, offset: offset)
      var response = Overdue_V1_SearchPartiesResponse()
      response.matches = matches.map { name, status in
        var match = Overdue_V1_PartyMatch()
        match.party = .init(name.identifier)
        match.legalName = name.legalName
        match.status = .init(status)
        return match
      }
      response.nextPageToken =
        matches.count == limit ? RequestParsing.pageToken(offset: offset + limit) : ""
      return response
    }
  }

  func batchCheck(
    request: RPCAsyncSequence<Overdue_V1_BatchCheckRequest, any Error>,
    response: RPCWriter<EncodedBatchCheckResponse>,
    context: ServerContext
  ) async throws {
    let peer = context.peer
    let call = "overdue.v1.Lookup/BatchCheck"
    // One message in, its answers out (split by a byte budget): the transport's flow control
    // bounds what is in flight, whatever the client sends, and nothing is buffered beyond one chunk.
    for try await chunk in request {
      guard chunk.items.count <= InputBounds.batchItems else {
        throw RegistryError.invalid(
          "items", "TOO_MANY_ITEMS",
          "a BatchCheck message holds at most \(InputBounds.batchItems) items; send more messages")
      }
      // A member's standing is checked again for every message: a certificate revoked (or a
      // member suspended) while the stream is open is refused from its next message on.
      if let peer {
        try await registry.requireStanding(serialHex: peer.serialHex, actor: peer.actor, call: call)
      }
      for answer in try await BatchAnswers.answer(
        chunk, registry: registry, showMemberNames: peer != nil, byteBudget: batchAnswerBytes)
      {
        try await response.write(answer)
      }
    }
  }
}
