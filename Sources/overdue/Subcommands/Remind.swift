import ArgumentParser
import Foundation
import OverdueAPI
import OverdueClient

/// `overdue member remind LISTING --every 7 --channel email,sms`: reminders to the party.
struct Remind: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract:
      "Remind the party of a listing every N days (email by the registry; sms, whatsapp, ivr, legal-notice to your webhook); --every 0 stops.",
    discussion: """
      Reminders never go out before the notice was served, pause while the listing is disputed,
      stop by themselves once it is settled, withdrawn, rejected or voided; SMS and IVR wait for
      09:00-21:00 in the registry's time zone.
      """)

  @OptionGroup var connection: ConnectionOptions
  @OptionGroup var request: RequestIdOption
  @Argument(help: "The listing id.") var listingId: String
  @Option(help: "Days between reminders (1-90; 0 stops them).") var every: UInt32
  @Option(help: "Channels, comma separated: email, sms, whatsapp, ivr, legal-notice.")
  var channel = "email"
  @Option(help: "The party's e-mail (default: the one given at filing).") var partyEmail = ""
  @Option(help: "The party's phone, +91… (default: the one given at filing).") var partyPhone = ""
  @Flag(help: "You are a micro or small enterprise: INR reminders state MSMED Act s.16 interest.")
  var msme = false
  @Option(help: "Your DLT-registered SMS header, passed to your gateway.") var dltHeader = ""
  @Option(help: "Your DLT template id, passed to your gateway.") var dltTemplateId = ""
  @Option(help: "How the party pays you (bank details, a link), quoted in every reminder.")
  var howToPay = ""

  func run() async throws {
    var message = Overdue_V1_ScheduleRemindersRequest()
    message.requestID = request.requestId
    message.listingID = listingId
    message.everyDays = every
    message.channels = try channel.split(separator: ",").map { name in
      let names: [String: Overdue_V1_ReminderChannel] = [
        "email": .email, "sms": .sms, "whatsapp": .whatsapp, "ivr": .ivr,
        "legal-notice": .legalNotice,
      ]
      guard let known = names[name.trimmingCharacters(in: .whitespaces).lowercased()] else {
        throw ValidationError(
          "--channel takes email, sms, whatsapp, ivr, legal-notice; got '\(name)'")
      }
      return known
    }
    message.partyEmail = partyEmail
    message.partyPhone = partyPhone
    message.msmeSupplier = msme
    message.dltHeader = dltHeader
    message.dltTemplateID = dltTemplateId
    message.paymentInstructions = howToPay
    let response = try await connection.run(requiresIdentity: true) { [message] in
      try await $0.members.scheduleReminders(message)
    }
    print(
      response.nextOn.isEmpty
        ? "reminders for \(listingId) stopped"
        : "reminders for \(listingId) every \(every) day(s) by \(channel); next on \(response.nextOn)"
    )
  }
}
