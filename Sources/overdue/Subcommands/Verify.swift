import ArgumentParser
import OverdueAPI
import OverdueClient

/// `overdue operator verify`: publish a PENDING listing after inspecting its evidence.
struct Verify: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract:
      "Verify a PENDING listing (evidence inspected, notice period over): it becomes public.")

  @OptionGroup var connection: ConnectionOptions
  @OptionGroup var request: RequestIdOption
  @Argument(help: "The listing id.") var listingId: String

  func run() async throws {
    var message = Overdue_V1_VerifyListingRequest()
    message.requestID = request.requestId
    message.listingID = listingId
    let receipt = try await connection.run(requiresIdentity: true) { [message] in
      try await $0.operator.verifyListing(message)
    }
    print("verified " + Receipts.describe(receipt))
  }
}
