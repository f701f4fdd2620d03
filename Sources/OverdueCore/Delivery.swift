/// What a message of the registry is about (SPEC section 6, notifications).
public enum MessageKind: String, Codable, Sendable, CaseIterable {
  /// A reminder to the party of a listing.
  case reminder = "REMINDER"
  /// To the party: it is listed.
  case partyListed = "PARTY_LISTED"
  /// To the party: the listing settled and its impact has ceased.
  case partySettled = "PARTY_SETTLED"
  /// A watch change, to the member's webhook.
  case alert = "ALERT"
  /// The daily digest of watch changes, to the member.
  case digest = "DIGEST"
  /// To the member: its webhook answered 410 Gone and was disabled.
  case endpointDisabled = "ENDPOINT_DISABLED"
}

/// How a message leaves the registry: e-mail the registry sends, or the member's webhook.
public enum DeliveryChannel: String, Codable, Sendable, CaseIterable {
  case email = "EMAIL"
  case webhook = "WEBHOOK"
}

/// The channels a reminder may use. E-mail the registry sends; the others go to the member's
/// webhook for its own gateway.
public enum ReminderChannel: String, Codable, Sendable, CaseIterable {
  case email = "EMAIL"
  case sms = "SMS"
  case whatsapp = "WHATSAPP"
  case ivr = "IVR"
  case legalNotice = "LEGAL_NOTICE"

  public var delivery: DeliveryChannel { self == .email ? .email : .webhook }
  /// SMS and IVR reach a person's phone: only within the quiet-hours window.
  public var keepsQuietHours: Bool { self == .sms || self == .ivr }
}

/// Where a message stands.
public enum DeliveryStatus: String, Codable, Sendable, CaseIterable {
  /// Queued, or waiting for its next attempt.
  case pending = "PENDING"
  case delivered = "DELIVERED"
  /// Refused for good, or every retry used.
  case failed = "FAILED"
  /// Nothing to send it by (no SMTP configured, no webhook set or it was disabled).
  case undeliverable = "UNDELIVERABLE"
  /// A rule stopped it at send time (the listing settled, is disputed …).
  case cancelled = "CANCELLED"
}

/// How one attempt went.
public enum AttemptOutcome: String, Codable, Sendable, CaseIterable {
  case delivered = "DELIVERED"
  case temporaryFailure = "TEMPORARY_FAILURE"
  case permanentFailure = "PERMANENT_FAILURE"
  case undeliverable = "UNDELIVERABLE"
  case cancelled = "CANCELLED"
  /// Not tried: quiet hours; moved to the window's start.
  case deferred = "DEFERRED"
}

/// The Standard Webhooks retry schedule, for every channel: immediately, then 5 s, 5 min, 30 min,
/// 2 h, 5 h, 10 h, 14 h, 20 h and 24 h after the attempt before, each delay spread by up to ±10%.
public enum RetrySchedule {
  /// Delays before each retry, in seconds; a message has at most `delays.count + 1` attempts.
  public static let delays: [Double] = [
    5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 14 * 3600, 20 * 3600, 24 * 3600,
  ]

  /// Seconds to wait after the `attempts`-th failed attempt (1 = the first), or nil when no
  /// attempt is left. `jitter` in -1...1 spreads the delay by up to a tenth; a receiver's
  /// `Retry-After` longer than the delay wins (capped at a day).
  public static func delay(afterAttempt attempts: Int, jitter: Double, retryAfter: Double? = nil)
    -> Double?
  {
    guard attempts >= 1, attempts <= delays.count else { return nil }
    let base = delays[attempts - 1] * (1 + 0.1 * max(-1, min(1, jitter)))
    return max(base, min(retryAfter ?? 0, 24 * 3600))
  }
}
