import ArgumentParser
import OverdueAPI
import OverdueClient

/// `overdue operator pending`: filings waiting for verification.
struct Pending: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "List PENDING listings waiting for verification.")

  @OptionGroup var connection: ConnectionOptions

  func run() async throws {
    let listings = try await connection.run(requiresIdentity: true) { clients in
      try await Paging.all(
        Overdue_V1_ListPendingListingsRequest(), token: \.pageToken, next: \.nextPageToken,
        items: \.listings
      ) {
        try await clients.operator.listPendingListings($0)
      }
    }
    if listings.isEmpty { print("no pending listings") }
    for listing in listings { print(Receipts.describe(listing) + "\n  member \(listing.memberID)") }
  }
}
