import GRPCProtobuf
import OverdueAPI
import OverdueCore
import OverdueRegistry
import OverdueStore
import SwiftProtobuf

/// The answer to one BatchCheck message: a result per item, in order, each with the caller's
/// correlation id, in as many response messages as the byte budget needs (a message is closed once
/// it holds `byteBudget` bytes; the next result starts another). Valid identifiers are
/// looked up together (clear ones from memory); an invalid one gets its own `google.rpc.Status`,
/// never a failed stream.
struct BatchAnswers {
  private(set) var messages: [EncodedBatchCheckResponse] = []
  private var current = EncodedBatchCheckResponse()
  private var currentCount = 0
  let byteBudget: Int

  private init(byteBudget: Int) {
    self.byteBudget = byteBudget
  }

  static func answer(
    _ chunk: Overdue_V1_BatchCheckRequest, registry: Registry, showMemberNames: Bool,
    byteBudget: Int
  ) async throws -> [EncodedBatchCheckResponse] {
    let parsed = chunk.items.enumerated().map { index, item in
      Result { () throws(RegistryError) in
        do throws(RegistryError) {
          try InputBounds.check(
            item.correlationID, field: "items[\(index)].correlation_id",
            max: InputBounds.correlationId, kind: .line)
          return try RequestParsing.party(item.party)
        } catch {
          throw error.at(field: "items[\(index)].\(error.field ?? "party")")
        }
      }
    }
    let found = try await registry.reports(for: parsed.compactMap { try? $0.get() })
    var answers = BatchAnswers(byteBudget: byteBudget)
    var reports = found.makeIterator()
    let asOf = Google_Protobuf_Timestamp(date: registry.clock.now())
    let encodedAsOf = try EncodedTimestamp(asOf)
    for (item, outcome) in zip(chunk.items, parsed) {
      switch outcome {
      case .success:
        let (record, assessment) = reports.next()!
        if record.listings.isEmpty {
          answers.current.appendClear(
            correlationID: item.correlationID, heading: PartyHeading(record.identifier),
            asOfSequence: record.asOfSequence, asOf: encodedAsOf)
        } else {
          try answers.current.append(
            correlationID: item.correlationID,
            report: Overdue_V1_PartyReport(
              record: record, assessment: assessment, showMemberNames: showMemberNames,
              asOf: asOf))
        }
      case .failure(let error):
        try answers.current.append(correlationID: item.correlationID, error: error)
      }
      answers.closeIfFull()
    }
    if answers.currentCount > 0 || answers.messages.isEmpty {
      answers.messages.append(answers.current)
    }
    return answers.messages
  }

  private mutating func closeIfFull() {
    currentCount += 1
    guard current.byteCount >= byteBudget else { return }
    messages.append(current)
    current = EncodedBatchCheckResponse()
    currentCount = 0
  }
}
