import ArgumentParser
import OverdueAPI
import OverdueClient

/// `overdue operator dispute`: record the party's dispute; the listing shows "under dispute".
struct DisputeCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "dispute",
    abstract: "Record a party's dispute of a listing (its impact is suspended).")

  @OptionGroup var connection: ConnectionOptions
  @OptionGroup var request: RequestIdOption
  @Argument(help: "The listing id.") var listingId: String
  @Option(help: "The party's statement (never public).") var statement: String
  @Option(help: "When the party raised it (YYYY-MM-DD; default today).") var raisedOn: String = ""

  func run() async throws {
    var message = Overdue_V1_RecordDisputeRequest()
    message.requestID = request.requestId
    message.listingID = listingId
    message.statement = statement
    message.raisedOn = raisedOn
    let receipt = try await connection.run(requiresIdentity: true) { [message] in
      try await $0.operator.recordDispute(message)
    }
    print("dispute recorded " + Receipts.describe(receipt))
  }
}
