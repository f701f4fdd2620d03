import ArgumentParser
import OverdueAPI
import OverdueClient

/// `overdue member listings`: your own listings, every state.
struct Listings: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "List your own listings (any state), all pages.")

  @OptionGroup var connection: ConnectionOptions
  @Option(help: "Only this state (pending, listed, settled, withdrawn, rejected, …).") var state:
    String?

  func run() async throws {
    var message = Overdue_V1_ListListingsRequest()
    if let state {
      guard let parsed = StateNames.state(state) else {
        throw ValidationError("unknown state '\(state)'")
      }
      message.state = parsed
    }
    let listings = try await connection.run(requiresIdentity: true) { [message] clients in
      try await Paging.all(message, token: \.pageToken, next: \.nextPageToken, items: \.listings) {
        try await clients.members.listListings($0)
      }
    }
    if listings.isEmpty { print("no listings") }
    for listing in listings { print(Receipts.describe(listing)) }
  }
}
