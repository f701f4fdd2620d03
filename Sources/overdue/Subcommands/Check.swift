import ArgumentParser
import Foundation
import OverdueAPI
import OverdueClient
import SwiftProtobuf

/// `overdue check ID`: what the registry says about one buyer.
struct Check: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Check a party (GSTIN, PAN, LEI, VAT or REG number) before extending credit.")

  @OptionGroup var connection: ConnectionOptions

  @Argument(help: "The party's identifier, e.g. 27AAPFU0939F1ZV.")
  var identifier: String

  @Option(help: "Scheme (GSTIN, PAN, LEI, VAT, REG); inferred from the value when omitted.")
  var scheme: String = ""

  @Option(help: "Wait until the registry has applied this event sequence (read your own writes).")
  var minSequence: UInt64 = 0

  @Flag(help: "Print the report as JSON (protobuf JSON mapping) for scripts.")
  var json = false

  func run() async throws {
    var request = Overdue_V1_CheckPartyRequest()
    request.party.scheme = scheme
    request.party.value = identifier
    request.minSequence = minSequence
    let report = try await connection.run(requiresIdentity: false) {
      try await $0.lookup.checkParty(request)
    }
    if json {
      var options = JSONEncodingOptions()
      options.alwaysPrintEnumsAsInts = false
      print(try report.jsonString(options: options))
    } else {
      print(ReportText.render(report))
    }
  }
}
