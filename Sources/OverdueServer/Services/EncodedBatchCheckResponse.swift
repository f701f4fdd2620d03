import GRPCCore
import GRPCProtobuf
import OverdueAPI
import OverdueCore
import SwiftProtobuf

/// A `BatchCheckResponse` in protobuf wire form, built one result at a time. A listed party's
/// report is encoded on its own and framed here (encoding the whole response as one message would
/// compute each nested message's size again at every enclosing level); a clear party's report,
/// nine in ten of a ledger, is written field by field without building a message at all.
struct EncodedBatchCheckResponse: Sendable {
  private var writer = WireWriter()

  /// The encoded `BatchCheckResponse`.
  var bytes: [UInt8] { writer.bytes }

  /// How many bytes it holds so far.
  var byteCount: Int { writer.bytes.count }

  /// Appends a `BatchResult` whose outcome is a report.
  mutating func append(correlationID: String, report: Overdue_V1_PartyReport) throws {
    let encoded: [UInt8] = try report.serializedBytes()
    appendResult(correlationID: correlationID) { $0.message(2) { $0.encoded(encoded) } }
  }

  /// Appends a `BatchResult` whose outcome is the report of a party with nothing public: the
  /// bytes that `Overdue_V1_PartyReport(clear:asOfSequence:asOf:)` encodes to.
  mutating func appendClear(
    correlationID: String, heading: PartyHeading, asOfSequence: UInt64, asOf: EncodedTimestamp
  ) {
    appendResult(correlationID: correlationID) { result in
      result.message(2) { report in
        report.message(1) { party in
          party.string(1, heading.identifier.scheme.rawValue)
          party.string(2, heading.identifier.value)
        }
        report.varint(4, UInt64(Overdue_V1_ImpactStatus.clear.rawValue))
        report.varint(10, asOfSequence)
        report.message(11) { $0.encoded(asOf.bytes) }
        report.string(12, heading.gstinState)
        report.string(13, heading.pan)
      }
    }
  }

  /// Appends a `BatchResult` whose outcome is a per-item error: the same `google.rpc.Status`,
  /// details and all, that a failed call would carry.
  mutating func append(correlationID: String, error: RegistryError) throws {
    let encoded: [UInt8] = try error.googleRPCStatus.serializedBytes()
    appendResult(correlationID: correlationID) { $0.message(3) { $0.encoded(encoded) } }
  }

  /// `results` (field 1): `{correlation_id = 1, outcome}`.
  private mutating func appendResult(
    correlationID: String, outcome: (inout WireWriter) -> Void
  ) {
    writer.message(1) { result in
      result.string(1, correlationID)
      outcome(&result)
    }
  }
}

/// A timestamp encoded once for all the reports of one answer.
struct EncodedTimestamp: Sendable {
  let bytes: [UInt8]

  init(_ timestamp: Google_Protobuf_Timestamp) throws {
    bytes = try timestamp.serializedBytes()
  }
}

/// Sends an `EncodedBatchCheckResponse` as it is: it is already a `BatchCheckResponse`.
struct EncodedBatchCheckResponseSerializer: MessageSerializer {
  func serialize<Bytes: GRPCContiguousBytes>(_ message: EncodedBatchCheckResponse) throws -> Bytes {
    Bytes(message.bytes)
  }
}
