import GRPCProtobuf
import OverdueAPI
import OverdueCore
import SwiftProtobuf

/// The answer to one BatchCheck message: a result per item, in order, each with the caller's
/// correlation id. Valid identifiers are looked up together in one read transaction (clear ones
/// from memory); an invalid one gets its own `google.rpc.Status`, never a failed stream.
struct BatchAnswers {
  var message = Overdue_V1_BatchCheckResponse()

  init(_ chunk: Overdue_V1_BatchCheckRequest, registry: Registry, showMemberNames: Bool)
    throws(RegistryError)
  {
    let parsed = chunk.items.enumerated().map { index, item in
      Result { () throws(RegistryError) in
        do throws(RegistryError) {
          return try RequestParsing.party(item.party)
        } catch {
          throw error.at(field: "items[\(index)].\(error.field ?? "party")")
        }
      }
    }
    var reports = try registry.reports(for: parsed.compactMap { try? $0.get() }).makeIterator()
    let asOf = Google_Protobuf_Timestamp(date: registry.clock.now())
    message.results = zip(chunk.items, parsed).map { item, outcome in
      var result = Overdue_V1_BatchResult()
      result.correlationID = item.correlationID
      switch outcome {
      case .success:
        let (record, assessment) = reports.next()!
        result.report = Overdue_V1_PartyReport(
          record: record, assessment: assessment, showMemberNames: showMemberNames, asOf: asOf)
      case .failure(let error):
        result.error = Google_Rpc_Status(error)
      }
      return result
    }
  }
}

extension Google_Rpc_Status {
  /// The same status, with the same details, that a failed call would carry.
  init(_ error: RegistryError) {
    let bytes: [UInt8] = (try? error.googleRPCStatus.serializedBytes()) ?? []
    self = (try? Google_Rpc_Status(serializedBytes: bytes)) ?? Google_Rpc_Status()
  }
}
