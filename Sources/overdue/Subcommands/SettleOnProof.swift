import ArgumentParser
import OverdueAPI
import OverdueClient

/// `overdue operator settle-on-proof`: settle a listing on the party's proof of payment when the
/// member does not respond.
struct SettleOnProof: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "settle-on-proof", abstract: "Settle a listing on the party's proof of payment.")

  @OptionGroup var connection: ConnectionOptions
  @OptionGroup var request: RequestIdOption
  @Argument(help: "The listing id.") var listingId: String
  @Option(help: "Settlement date (YYYY-MM-DD).") var settledOn: String
  @Option(help: "Amount paid in settlement, in minor units; 0 means the whole outstanding amount.")
  var amountMinor: Int64 = 0
  @Option(help: "A note for the record (never public).") var note: String = ""

  func run() async throws {
    var message = Overdue_V1_SettleOnPartyProofRequest()
    message.requestID = request.requestId
    message.listingID = listingId
    message.settledOn = settledOn
    message.amountMinor = amountMinor
    message.note = note
    let receipt = try await connection.run(requiresIdentity: true) { [message] in
      try await $0.operator.settleOnPartyProof(message)
    }
    print("settled " + Receipts.describe(receipt))
  }
}
