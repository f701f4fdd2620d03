import ArgumentParser
import OverdueAPI
import OverdueClient

/// `overdue member show`: one of your listings in full.
struct Show: AsyncParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Show one of your listings in full.")

  @OptionGroup var connection: ConnectionOptions
  @Argument(help: "The listing id.") var listingId: String

  func run() async throws {
    var message = Overdue_V1_GetListingRequest()
    message.listingID = listingId
    let listing = try await connection.run(requiresIdentity: true) { [message] in
      try await $0.members.getListing(message)
    }
    print(Receipts.describe(listing))
  }
}
