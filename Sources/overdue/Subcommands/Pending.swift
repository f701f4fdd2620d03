import ArgumentParser
import OverdueAPI
import OverdueClient

/// `overdue operator pending`: filings waiting for verification.
struct Pending: AsyncParsableCommand {
  static let configuration = CommandConfiguration(abstract: "List PENDING listings waiting for verification.")

  @OptionGroup var connection: ConnectionOptions

  func run() async throws {
    let listings = try await connection.run(requiresIdentity: true) { clients in
      var request = Overdue_V1_ListPendingListingsRequest()
      var all: [Overdue_V1_Listing] = []
      repeat {
        let page = try await clients.operator.listPendingListings(request)
        all += page.listings
        request.pageToken = page.nextPageToken
      } while !request.pageToken.isEmpty
      return all
    }
    if listings.isEmpty { print("no pending listings") }
    for listing in listings { print(Receipts.describe(listing) + "\n  member \(listing.memberID)") }
  }
}
