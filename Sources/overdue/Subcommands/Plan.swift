import ArgumentParser
import Foundation
import OverdueAPI
import OverdueClient

/// `overdue member plan`: agree (or replace) a payment plan on a LISTED or ON_PLAN listing.
struct Plan: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Agree a payment plan: instalments that add up to the outstanding amount.")

  @OptionGroup var connection: ConnectionOptions
  @OptionGroup var request: RequestIdOption
  @Argument(help: "The listing id.") var listingId: String
  @Option(help: "An instalment as DUE_ON,AMOUNT (amount in major units); repeat, in due order.")
  var instalment: [String] = []

  func run() async throws {
    guard !instalment.isEmpty else {
      throw ValidationError("give at least one --instalment DUE_ON,AMOUNT")
    }
    let receipt = try await connection.run(requiresIdentity: true) { clients in
      var lookup = Overdue_V1_GetListingRequest()
      lookup.listingID = listingId
      let listing = try await clients.members.getListing(lookup)
      var message = Overdue_V1_AgreePaymentPlanRequest()
      message.requestID = request.requestId
      message.listingID = listingId
      message.instalments = try instalment.map { text in
        let fields = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard fields.count == 2 else {
          throw ValidationError("--instalment is DUE_ON,AMOUNT, got '\(text)'")
        }
        var proto = Overdue_V1_Instalment()
        proto.dueOn = fields[0]
        proto.amountMinor = try AmountOption.minor(
          fields[1], currency: listing.currency, option: "--instalment amount")
        return proto
      }
      return try await clients.members.agreePaymentPlan(message)
    }
    print("plan agreed " + Receipts.describe(receipt))
  }
}
