import ArgumentParser
import OverdueAPI
import OverdueClient

/// `overdue operator reject`: refuse a PENDING listing, with a reason.
struct Reject: AsyncParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Reject a PENDING listing.")

  @OptionGroup var connection: ConnectionOptions
  @OptionGroup var request: RequestIdOption
  @Argument(help: "The listing id.") var listingId: String
  @Option(help: "Why (told to the member).") var reason: String

  func run() async throws {
    var message = Overdue_V1_RejectListingRequest()
    message.requestID = request.requestId
    message.listingID = listingId
    message.reason = reason
    let receipt = try await connection.run(requiresIdentity: true) { [message] in
      try await $0.operator.rejectListing(message)
    }
    print("rejected " + Receipts.describe(receipt))
  }
}
