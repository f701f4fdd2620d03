import ArgumentParser
import OverdueAPI
import OverdueClient

/// `overdue search NAME`: find parties by name (prefix and typo tolerant).
struct Search: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Search parties by name (at least 3 characters).")

  @OptionGroup var connection: ConnectionOptions
  @Argument(help: "A name or part of one.") var name: String
  @Option(help: "Matches per page.") var pageSize: Int32 = 20
  @Option(help: "Continue from a previous page's token.") var pageToken: String = ""

  func run() async throws {
    var message = Overdue_V1_SearchPartiesRequest()
    message.query = name
    message.pageSize = pageSize
    message.pageToken = pageToken
    let response = try await connection.run(requiresIdentity: false) { [message] in
      try await $0.lookup.searchParties(message)
    }
    if response.matches.isEmpty { print("no parties match '\(name)'") }
    for match in response.matches {
      print(
        "\(match.party.scheme) \(match.party.value)  \(StateNames.status(match.status))  \(match.legalName)"
      )
    }
    if !response.nextPageToken.isEmpty { print("more: --page-token \(response.nextPageToken)") }
  }
}
