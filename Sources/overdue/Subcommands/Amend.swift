import ArgumentParser
import OverdueAPI
import OverdueClient

/// `overdue member amend`: fix a PENDING listing or add evidence to it.
struct Amend: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Amend a PENDING listing: add evidence, fix the name or notice date.")

  @OptionGroup var connection: ConnectionOptions
  @OptionGroup var request: RequestIdOption
  @Argument(help: "The listing id.") var listingId: String
  @Option(help: "Corrected legal name.") var name: String = ""
  @Option(help: "Corrected notice date (YYYY-MM-DD).") var noticeServedOn: String = ""
  @Option(help: "An evidence document to add; repeat for several.") var evidence: [String] = []

  func run() async throws {
    var message = Overdue_V1_AmendListingRequest()
    message.requestID = request.requestId
    message.listingID = listingId
    message.legalName = name
    message.noticeServedOn = noticeServedOn
    message.addEvidence = try EvidenceFiles.load(evidence)
    let receipt = try await connection.run(requiresIdentity: true) { [message] in
      try await $0.members.amendListing(message)
    }
    print("amended " + Receipts.describe(receipt))
  }
}
