import ArgumentParser
import OverdueAPI
import OverdueClient

/// `overdue operator decide`: decide a dispute for the member (the listing stands) or the party
/// (it is voided).
struct Decide: AsyncParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Decide a dispute.")

  enum Outcome: String, ExpressibleByArgument, CaseIterable {
    case forMember = "for-member"
    case forParty = "for-party"
  }

  @OptionGroup var connection: ConnectionOptions
  @OptionGroup var request: RequestIdOption
  @Argument(help: "The listing id.") var listingId: String
  @Option(help: "for-member (the listing stands) or for-party (it is voided).") var outcome: Outcome
  @Option(help: "Why.") var reason: String

  func run() async throws {
    var message = Overdue_V1_DecideDisputeRequest()
    message.requestID = request.requestId
    message.listingID = listingId
    message.reason = reason
    message.outcome = outcome == .forMember ? .forMember : .forParty
    let receipt = try await connection.run(requiresIdentity: true) { [message] in
      try await $0.operator.decideDispute(message)
    }
    print("dispute decided " + Receipts.describe(receipt))
  }
}
