import ArgumentParser
import OverdueAPI
import OverdueClient

/// `overdue member withdraw`: take a PENDING or LISTED listing back, with a coded reason.
struct Withdraw: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Withdraw a listing (not once settled: history is kept).")

  enum Reason: String, ExpressibleByArgument, CaseIterable {
    case paidBeforeListing = "paid-before-listing"
    case filedInError = "filed-in-error"
    case privateAgreement = "private-agreement"
  }

  @OptionGroup var connection: ConnectionOptions
  @OptionGroup var request: RequestIdOption
  @Argument(help: "The listing id.") var listingId: String
  @Option(help: "Why: paid-before-listing, filed-in-error or private-agreement.") var reason: Reason
  @Option(help: "A note for the record (never public).") var note: String = ""

  func run() async throws {
    var message = Overdue_V1_WithdrawListingRequest()
    message.requestID = request.requestId
    message.listingID = listingId
    message.note = note
    message.reason =
      switch reason {
      case .paidBeforeListing: .paidBeforeListing
      case .filedInError: .filedInError
      case .privateAgreement: .privateAgreement
      }
    let receipt = try await connection.run(requiresIdentity: true) { [message] in
      try await $0.members.withdrawListing(message)
    }
    print("withdrawn " + Receipts.describe(receipt))
  }
}
