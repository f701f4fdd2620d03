import GRPCProtobuf
import OverdueAPI
import OverdueCore
import OverdueStore
import SwiftProtobuf

/// The answer to one BatchCheck message: a result per item, in order, each with the caller's
/// correlation id. Valid identifiers are looked up together in one read transaction (clear ones
/// from memory); an invalid one gets its own `google.rpc.Status`, never a failed stream.
struct BatchAnswers {
  var message = EncodedBatchCheckResponse()

  init(_ chunk: Overdue_V1_BatchCheckRequest, registry: Registry, showMemberNames: Bool) throws {
    let parsed = chunk.items.enumerated().map { index, item in
      Result { () throws(RegistryError) in
        do throws(RegistryError) {
          return try RequestParsing.party(item.party)
        } catch {
          throw error.at(field: "items[\(index)].\(error.field ?? "party")")
        }
      }
    }
    let found: [(PartyRecord, PartyAssessment)]
    do {
      found = try registry.reports(for: parsed.compactMap { try? $0.get() })
    } catch {
      throw error.googleRPCStatus
    }
    var reports = found.makeIterator()
    let asOf = Google_Protobuf_Timestamp(date: registry.clock.now())
    let encodedAsOf = try EncodedTimestamp(asOf)
    for (item, outcome) in zip(chunk.items, parsed) {
      switch outcome {
      case .success:
        let (record, assessment) = reports.next()!
        if record.listings.isEmpty {
          message.appendClear(
            correlationID: item.correlationID, heading: PartyHeading(record.identifier),
            asOfSequence: record.asOfSequence, asOf: encodedAsOf)
        } else {
          try message.append(
            correlationID: item.correlationID,
            report: Overdue_V1_PartyReport(
              record: record, assessment: assessment, showMemberNames: showMemberNames,
              asOf: asOf))
        }
      case .failure(let error):
        try message.append(correlationID: item.correlationID, error: error)
      }
    }
  }
}
