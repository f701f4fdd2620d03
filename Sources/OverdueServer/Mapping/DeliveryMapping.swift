import Foundation
import OverdueAPI
import OverdueCore
import OverdueStore
import SwiftProtobuf

/// Messages, their attempts and the reminder channels, between the registry and the wire.
enum DeliveryMapping {
  static func channels(_ channels: [Overdue_V1_ReminderChannel]) throws(RegistryError)
    -> [ReminderChannel]
  {
    var result: [ReminderChannel] = []
    for (index, channel) in channels.enumerated() {
      guard let known = ReminderChannel.allCases.first(where: { wire($0) == channel }) else {
        throw .invalid(
          "channels[\(index)]", "INVALID_CHANNEL",
          "a reminder channel is EMAIL, SMS, WHATSAPP, IVR or LEGAL_NOTICE")
      }
      result.append(known)
    }
    return result
  }

  static func wire(_ channel: ReminderChannel) -> Overdue_V1_ReminderChannel {
    switch channel {
    case .email: .email
    case .sms: .sms
    case .whatsapp: .whatsapp
    case .ivr: .ivr
    case .legalNotice: .legalNotice
    }
  }

  static func delivery(_ delivery: Delivery) -> Overdue_V1_Delivery {
    var wire = Overdue_V1_Delivery()
    let message = delivery.message
    wire.messageID = message.id
    wire.kind = kind(message.kind)
    wire.channel = message.channel == .email ? .email : .webhook
    if let channel = message.reminderChannel { wire.reminderChannel = Self.wire(channel) }
    wire.listingID = message.listingId
    wire.recipient = message.recipient
    wire.subject = message.subject
    wire.status = status(delivery.status)
    wire.createdAt = Google_Protobuf_Timestamp(date: message.createdAt)
    if let next = delivery.nextAttemptAt {
      wire.nextAttemptAt = Google_Protobuf_Timestamp(date: next)
    }
    wire.attempts = delivery.attempts.map { attempt in
      var wireAttempt = Overdue_V1_DeliveryAttempt()
      wireAttempt.number = UInt32(clamping: attempt.number)
      wireAttempt.at = Google_Protobuf_Timestamp(date: attempt.at)
      wireAttempt.outcome = outcome(attempt.outcome)
      wireAttempt.detail = attempt.detail
      wireAttempt.latencyMs = UInt32(clamping: attempt.latencyMilliseconds)
      return wireAttempt
    }
    return wire
  }

  private static func kind(_ kind: MessageKind) -> Overdue_V1_MessageKind {
    switch kind {
    case .reminder: .reminder
    case .partyListed: .partyListed
    case .partySettled: .partySettled
    case .alert: .alert
    case .digest: .digest
    case .endpointDisabled: .endpointDisabled
    }
  }

  private static func status(_ status: DeliveryStatus) -> Overdue_V1_DeliveryStatus {
    switch status {
    case .pending: .pending
    case .delivered: .delivered
    case .failed: .failed
    case .undeliverable: .undeliverable
    case .cancelled: .cancelled
    }
  }

  private static func outcome(_ outcome: AttemptOutcome) -> Overdue_V1_AttemptOutcome {
    switch outcome {
    case .delivered: .delivered
    case .temporaryFailure: .temporaryFailure
    case .permanentFailure: .permanentFailure
    case .undeliverable: .undeliverable
    case .cancelled: .cancelled
    case .deferred: .deferred
    }
  }
}
