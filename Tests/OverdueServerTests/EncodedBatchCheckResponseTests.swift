import Foundation
import GRPCProtobuf
import OverdueAPI
import OverdueCore
import SwiftProtobuf
import Testing

@testable import OverdueServer

@Suite("BatchCheck answers encoded as they are built")
struct EncodedBatchCheckResponseTests {
  static let parties: [PartyIdentifier] = [
    PartyIdentifier(unchecked: .gstin, "24AAACC1206D1ZM"),  // a company: state and PAN shown
    PartyIdentifier(unchecked: .gstin, "27AAAPL1234C1Z5"),  // an individual: PAN never shown
    PartyIdentifier(unchecked: .gstin, "98AAACC1206D1ZM"),  // no state of that code
    PartyIdentifier(unchecked: .pan, "AAPFU0939F"),
    PartyIdentifier(unchecked: .lei, "5493001KJTIIGC8Y1R12"),
    PartyIdentifier(unchecked: .vat, "DE123456789"),
    PartyIdentifier(unchecked: .reg, "U72200MH2009PTC123456"),
  ]

  /// Correlation ids: none, short, and long enough that its length takes two varint bytes.
  static let correlationIDs = ["", "7", String(repeating: "row-", count: 50)]

  @Test func theHeadingNamesTheStateAndABusinessPANButNeverAPersonOne() {
    let headings = Self.parties.prefix(4).map(PartyHeading.init)
    #expect(headings.map(\.gstinState) == ["Gujarat", "Maharashtra", "", ""])
    #expect(headings.map(\.pan) == ["AAACC1206D", "", "AAACC1206D", ""])
  }

  @Test(arguments: [UInt64(0), 1, 300, UInt64.max])
  func clearAnswersAreTheBytesOfTheClearReportMessage(asOfSequence: UInt64) throws {
    for asOf in [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 1_795_000_000.25)] {
      let timestamp = Google_Protobuf_Timestamp(date: asOf)
      var encoded = EncodedBatchCheckResponse()
      var expected = Overdue_V1_BatchCheckResponse()
      for party in Self.parties {
        for correlationID in Self.correlationIDs {
          encoded.appendClear(
            correlationID: correlationID, heading: PartyHeading(party), asOfSequence: asOfSequence,
            asOf: try EncodedTimestamp(timestamp))
          var result = Overdue_V1_BatchResult()
          result.correlationID = correlationID
          result.report = Overdue_V1_PartyReport(
            clear: party, asOfSequence: asOfSequence, asOf: timestamp)
          expected.results.append(result)
        }
      }
      #expect(encoded.bytes == (try expected.serializedBytes()))
    }
  }

  @Test func reportsAndErrorsAreFramedAsTheGeneratedMessageWouldBe() throws {
    var report = Overdue_V1_PartyReport(
      clear: Self.parties[0], asOfSequence: 42, asOf: Google_Protobuf_Timestamp(seconds: 1))
    report.status = .active
    report.legalName = String(repeating: "Sharma Steel Traders ", count: 10)
    report.listings = (0..<3).map { index in
      var listing = Overdue_V1_PublicListing()
      listing.listingID = "L\(index)"
      listing.originalMinor = 1_000_000
      listing.filedUnder = .init(Self.parties[3])
      return listing
    }
    let error = RegistryError(
      .invalidArgument, reason: "INVALID_CHECK_CHARACTER", message: "bad check character",
      field: "items[1].party.value")

    var encoded = EncodedBatchCheckResponse()
    try encoded.append(correlationID: "0", report: report)
    try encoded.append(correlationID: "1", error: error)
    try encoded.append(correlationID: "", report: Overdue_V1_PartyReport())

    let status: [UInt8] = try error.googleRPCStatus.serializedBytes()
    var expected = Overdue_V1_BatchCheckResponse()
    expected.results = [
      .with {
        $0.correlationID = "0"
        $0.report = report
      },
      .with {
        $0.correlationID = "1"
        $0.error = try! Google_Rpc_Status(serializedBytes: status)
      },
      .with { $0.report = Overdue_V1_PartyReport() },
    ]
    #expect(encoded.bytes == (try expected.serializedBytes()))
    let decoded = try Overdue_V1_BatchCheckResponse(serializedBytes: encoded.bytes)
    #expect(decoded.results[1].error.message == "bad check character")
  }
}
