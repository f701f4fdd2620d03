import ArgumentParser
import Foundation
import OverdueAPI
import OverdueClient
import SwiftProtobuf

/// `overdue member deliveries [LISTING]`: every message sent about your listings and to you, with
/// each attempt.
struct Deliveries: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "The messages sent (reminders, notices, alerts, digests) with every attempt.")

  @OptionGroup var connection: ConnectionOptions
  @Argument(help: "Only this listing's messages.") var listingId: String?
  @Option(help: "How many messages, newest first.") var limit: Int32 = 50
  @Flag(help: "Protobuf JSON, one delivery per line.") var json = false

  func run() async throws {
    var message = Overdue_V1_ListDeliveriesRequest()
    message.listingID = listingId ?? ""
    message.pageSize = limit
    let response = try await connection.run(requiresIdentity: true) { [message] in
      try await $0.members.listDeliveries(message)
    }
    if json {
      for delivery in response.deliveries { print(try delivery.jsonString()) }
      return
    }
    guard !response.deliveries.isEmpty else {
      print("no messages")
      return
    }
    for delivery in response.deliveries {
      let channel =
        delivery.kind == .reminder
        ? Self.name(delivery.reminderChannel) : Self.name(delivery.channel)
      print(
        "\(delivery.messageID)  \(Self.name(delivery.kind)) by \(channel) to \(delivery.recipient.isEmpty ? "-" : delivery.recipient)  \(Self.name(delivery.status))"
      )
      for attempt in delivery.attempts {
        print(
          "  #\(attempt.number) \(Self.time(attempt.at))  \(Self.name(attempt.outcome))  \(attempt.latencyMs) ms  \(attempt.detail)"
        )
      }
      if delivery.hasNextAttemptAt, delivery.status == .pending {
        print("  next attempt \(Self.time(delivery.nextAttemptAt))")
      }
    }
  }

  /// An enum value as words: `.temporaryFailure` → "temporary-failure".
  static func name(_ value: some Enum) -> String {
    var words = ""
    for character in String(describing: value) {
      if character.isUppercase { words += "-" }
      words += character.lowercased()
    }
    return words
  }

  static func time(_ timestamp: Google_Protobuf_Timestamp) -> String {
    timestamp.date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false))
  }
}
