import ArgumentParser
import Foundation
import OverdueAPI
import OverdueClient
import SwiftProtobuf

/// `overdue member file`: file a default against a buyer (PENDING until an operator verifies it).
struct FileDefault: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "file",
    abstract:
      "File a default: from flags, or --json FILE holding a FileDefaultRequest in protobuf JSON.")

  @OptionGroup var connection: ConnectionOptions
  @OptionGroup var request: RequestIdOption

  @Option(
    help:
      "A FileDefaultRequest as protobuf JSON (amounts in minor units); flags below are then ignored except --evidence."
  )
  var json: String?

  @Option(help: "The party's identifier.") var party: String?
  @Option(help: "Its scheme (inferred when omitted).") var scheme: String = ""
  @Option(help: "The party's legal name.") var name: String?
  @Option(help: "ISO 4217 currency.") var currency: String = "INR"
  @Option(
    help:
      "An invoice as NUMBER,ISSUED_ON,DUE_ON,AMOUNT (amount in major units); repeat for several.")
  var invoice: [String] = []
  @Option(help: "The date written notice was served (YYYY-MM-DD).") var noticeServedOn: String?
  @Option(help: "An evidence document (.pdf, .png, .jpg); repeat for several.") var evidence:
    [String] = []
  @Option(help: "The party's e-mail, for the registry's notices (never public).")
  var partyEmail = ""
  @Option(help: "The party's phone (+91…), for reminders (never public).") var partyPhone = ""

  func run() async throws {
    var message =
      try json.map { path in
        try Overdue_V1_FileDefaultRequest(
          jsonUTF8Data: try Data(contentsOf: URL(fileURLWithPath: path)))
      } ?? fromFlags()
    if message.requestID.isEmpty { message.requestID = request.requestId }
    if !partyEmail.isEmpty { message.partyEmail = partyEmail }
    if !partyPhone.isEmpty { message.partyPhone = partyPhone }
    message.evidence += try EvidenceFiles.load(evidence)
    let receipt = try await connection.run(requiresIdentity: true) { [message] in
      try await $0.members.fileDefault(message)
    }
    print("filed " + Receipts.describe(receipt))
  }

  private func fromFlags() throws -> Overdue_V1_FileDefaultRequest {
    guard let party, let name, let noticeServedOn, !invoice.isEmpty else {
      throw ValidationError(
        "give --party, --name, --notice-served-on and at least one --invoice (or --json FILE)")
    }
    var message = Overdue_V1_FileDefaultRequest()
    message.party.scheme = scheme
    message.party.value = party
    message.legalName = name
    message.currency = currency.uppercased()
    message.noticeServedOn = noticeServedOn
    message.invoices = try invoice.map { text in
      let fields = text.split(separator: ",", omittingEmptySubsequences: false).map {
        $0.trimmingCharacters(in: .whitespaces)
      }
      guard fields.count == 4 else {
        throw ValidationError("--invoice is NUMBER,ISSUED_ON,DUE_ON,AMOUNT, got '\(text)'")
      }
      var invoice = Overdue_V1_Invoice()
      invoice.number = fields[0]
      invoice.issuedOn = fields[1]
      invoice.dueOn = fields[2]
      invoice.amountMinor = try AmountOption.minor(
        fields[3], currency: currency, option: "--invoice amount")
      return invoice
    }
    return message
  }
}
