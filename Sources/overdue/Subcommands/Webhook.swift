import ArgumentParser
import OverdueAPI
import OverdueClient

/// `overdue member webhook set URL`: where the registry sends your alerts and your SMS, WhatsApp,
/// IVR and legal-notice reminders, signed per Standard Webhooks.
struct WebhookCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "webhook", abstract: "Set your webhook endpoint (and rotate its secret).",
    subcommands: [WebhookSet.self])
}

struct WebhookSet: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "set",
    abstract:
      "Set the https endpoint; prints its new signing secret once (the previous one signs for 24 h more)."
  )

  @OptionGroup var connection: ConnectionOptions
  @OptionGroup var request: RequestIdOption
  @Argument(help: "The https URL.") var url: String
  @Option(help: "Told by e-mail if the endpoint is ever disabled (it answered 410 Gone).")
  var contactEmail = ""

  func run() async throws {
    var message = Overdue_V1_SetWebhookRequest()
    message.requestID = request.requestId
    message.url = url
    message.contactEmail = contactEmail
    let response = try await connection.run(requiresIdentity: true) { [message] in
      try await $0.members.setWebhook(message)
    }
    print("webhook \(response.url)")
    print("secret  \(response.secret)   (shown once: keep it to verify webhook-signature)")
  }
}
