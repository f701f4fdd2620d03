public import Foundation

/// A way out of the registry for one kind of message: the SMTP client for e-mail, signed webhooks
/// for everything a member's own gateway delivers. An adapter never throws and never retries by
/// itself: it makes one attempt and says how it went; the outbox dispatcher decides what follows.
public protocol Channel<Message>: Sendable {
  associatedtype Message: Sendable
  /// One delivery attempt of `message`, bounded in time.
  func deliver(_ message: Message) async -> DeliveryResult
  /// Closes what the channel keeps open (pooled connections).
  func shutdown() async
}

/// How one delivery attempt went.
public enum DeliveryResult: Sendable, Equatable {
  /// Accepted by the receiver; the detail is its reply (SMTP `250 …`, `HTTP 204`).
  case delivered(detail: String)
  /// Worth trying again (SMTP 4xx, HTTP 5xx or 429, timeouts, dropped connections), no sooner
  /// than `retryAfter` when the receiver said so (`Retry-After`).
  case temporaryFailure(detail: String, retryAfter: Duration?)
  /// Refused for good (SMTP 5xx, HTTP 4xx, a URL that is not allowed).
  case permanentFailure(detail: String)
  /// The endpoint is gone (HTTP 410): it is to be disabled and its owner told.
  case gone(detail: String)
}

/// An e-mail as the registry sends it: one identity (`Message-ID`) on every attempt, a plain-text
/// and an HTML part, both UTF-8.
public struct EmailMessage: Sendable, Equatable {
  /// The `Message-ID` without angle brackets, e.g. `0192…@overdue.registry`.
  public var messageId: String
  public var to: String
  public var subject: String
  public var text: String
  public var html: String
  /// When the message was first made (the `Date` header; the same on every attempt).
  public var date: Date

  public init(
    messageId: String, to: String, subject: String, text: String, html: String, date: Date
  ) {
    self.messageId = messageId
    self.to = to
    self.subject = subject
    self.text = text
    self.html = html
    self.date = date
  }
}

/// A webhook call per Standard Webhooks 1.0: `body` is the JSON `{type, timestamp, data}`, signed
/// with every current secret of the endpoint under `webhookId` (the same on every attempt).
public struct WebhookCall: Sendable, Equatable {
  public var webhookId: String
  public var url: String
  /// The endpoint's signing secrets (`whsec_…`): the current one, and during a rotation the
  /// previous one too.
  public var secrets: [String]
  public var body: Data

  public init(webhookId: String, url: String, secrets: [String], body: Data) {
    self.webhookId = webhookId
    self.url = url
    self.secrets = secrets
    self.body = body
  }
}
