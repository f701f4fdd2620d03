import ArgumentParser
import OverdueAPI
import OverdueClient

/// `overdue member alerts`: where your watchlist's changes go.
struct Alerts: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract:
      "Send your watchlist's changes to your webhook as they happen, and/or a daily e-mail digest.")

  @OptionGroup var connection: ConnectionOptions
  @OptionGroup var request: RequestIdOption
  @Flag(help: "Each change to your webhook as it commits.") var webhook = false
  @Option(help: "A daily digest to this address (omit for none).") var digest = ""

  func run() async throws {
    var message = Overdue_V1_SetAlertChannelsRequest()
    message.requestID = request.requestId
    message.webhook = webhook
    message.digestEmail = digest
    _ = try await connection.run(requiresIdentity: true) { [message] in
      try await $0.members.setAlertChannels(message)
    }
    print(
      "alerts: webhook \(webhook ? "on" : "off"), digest \(digest.isEmpty ? "off" : "to \(digest)")"
    )
  }
}
