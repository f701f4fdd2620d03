import ArgumentParser
import OverdueAPI
import OverdueClient

/// `overdue member settle`: confirm the debt is settled; the impact ends, the history stays.
struct Settle: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Confirm settlement (in full, or an agreed lesser --amount).")

  @OptionGroup var connection: ConnectionOptions
  @OptionGroup var request: RequestIdOption
  @Argument(help: "The listing id.") var listingId: String
  @Option(help: "Settlement date (YYYY-MM-DD).") var settledOn: String
  @Option(
    help:
      "Amount accepted in settlement, in major units; omitted means the whole outstanding amount.")
  var amount: String?
  @Option(help: "A note for the record (never public).") var note: String = ""

  func run() async throws {
    let receipt = try await connection.run(requiresIdentity: true) { clients in
      var message = Overdue_V1_ConfirmSettlementRequest()
      message.requestID = request.requestId
      message.listingID = listingId
      message.settledOn = settledOn
      message.note = note
      if let amount {
        var lookup = Overdue_V1_GetListingRequest()
        lookup.listingID = listingId
        let listing = try await clients.members.getListing(lookup)
        message.amountMinor = try AmountOption.minor(
          amount, currency: listing.currency, option: "--amount")
      }
      return try await clients.members.confirmSettlement(message)
    }
    print("settled " + Receipts.describe(receipt))
  }
}
