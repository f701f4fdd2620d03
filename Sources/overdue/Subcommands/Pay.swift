import ArgumentParser
import OverdueAPI
import OverdueClient

/// `overdue member pay`: record a payment received; paying the whole outstanding settles the listing.
struct Pay: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Record a payment received against a listing.")

  @OptionGroup var connection: ConnectionOptions
  @OptionGroup var request: RequestIdOption
  @Argument(help: "The listing id.") var listingId: String
  @Option(help: "Amount received, in major units (e.g. 25000.50).") var amount: String
  @Option(help: "Date received (YYYY-MM-DD).") var paidOn: String
  @Option(help: "Your payment reference (never public).") var reference: String = ""

  func run() async throws {
    let receipt = try await connection.run(requiresIdentity: true) { clients in
      var lookup = Overdue_V1_GetListingRequest()
      lookup.listingID = listingId
      let listing = try await clients.members.getListing(lookup)
      var message = Overdue_V1_RecordPaymentRequest()
      message.requestID = request.requestId
      message.listingID = listingId
      message.amountMinor = try AmountOption.minor(
        amount, currency: listing.currency, option: "--amount")
      message.paidOn = paidOn
      message.reference = reference
      return try await clients.members.recordPayment(message)
    }
    print("payment recorded " + Receipts.describe(receipt))
  }
}
