import GRPCCore
import OverdueAPI
import OverdueCore
import OverdueRegistry
import OverdueStore
import SwiftProtobuf

extension Registry {
  /// The shape every listing write shares: the caller from the certificate, the idempotency key
  /// from the request, the command built from its fields, refusals mapped to gRPC statuses.
  func handle(
    _ request: some SwiftProtobuf.Message, requestId: String, listingId: String,
    context: ServerContext, evidence: [StoredEvidence] = [],
    _ command: () throws(RegistryError) -> ListingCommand
  ) async throws -> Overdue_V1_ListingReceipt {
    let actor = try context.requireActor()
    return try await mappingErrors { () async throws(RegistryError) in
      let key = try RequestParsing.key(actor, requestId: requestId, request: request)
      return .init(
        try await run(
          try command(), listingId: try RequestParsing.listingId(listingId), actor: actor, key: key,
          evidence: evidence))
    }
  }
}
