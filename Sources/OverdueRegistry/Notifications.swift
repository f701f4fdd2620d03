public import Foundation
public import OverdueCore
import OverdueNotify
public import OverdueStore

/// What the registry's messages need to know about the registry itself.
public struct NoticePolicy: Sendable {
  /// The RBI bank rate, in basis points: MSMED Act section 16 interest runs at three times it.
  /// A configured figure (`--rbi-bank-rate`), to be kept current by the operator.
  public var bankRateBasisPoints = 550
  /// The domain of every `Message-ID` (the part after `@` of the sender address).
  public var mailDomain = "overdue.registry"
  /// Whether webhook URLs may name loopback and private addresses (tests only).
  public var webhookAllowPrivate = false

  public init() {}
}

/// The answer to setting a webhook: the new signing secret, shown this once (empty for a retried
/// request: the secret is never stored with the answer).
public struct WebhookReceipt: Codable, Sendable, Equatable {
  public var secret: String
  public var url: String
}

/// The answer to scheduling reminders: the first day one may go out (nil: stopped).
public struct ReminderReceipt: Codable, Sendable, Equatable {
  public var nextOn: CalendarDate?
}

extension Registry {
  /// Sets (or rotates) the member's webhook endpoint; the new secret is returned once, and the
  /// previous one keeps signing for 24 hours.
  public func setWebhook(url: String, contactEmail: String, memberId: String, key: IdempotencyKey)
    async throws(RegistryError) -> WebhookReceipt
  {
    try InputBounds.check(url, field: "url", max: 2_000, kind: .line)
    do {
      _ = try WebhookURL(
        url, policy: WebhookAddressPolicy(allowPrivate: notices.webhookAllowPrivate))
    } catch {
      throw .invalid("url", "INVALID_WEBHOOK_URL", "\(error)")
    }
    try ContactAddress.checkEmail(contactEmail, field: "contact_email")
    let now = clock.now()
    let secret = WebhookSecret.generate().encoded
    // The secret is not kept with the request's answer (the idempotency record outlives any
    // rotation): a retried request gets the URL and no secret, and a new one is had by calling
    // again. This call shows it when the endpoint now signs with it, i.e. this call set it.
    var receipt = try await writing(
      key, as: WebhookReceipt.self, "set the webhook", target: memberId
    ) { session throws(RegistryError) in
      let previous = try session.webhook(memberId: memberId)
      try session.save(
        WebhookEndpoint(
          url: url, secret: secret, previousSecret: previous?.secret,
          previousUntil: previous == nil ? nil : now.addingTimeInterval(24 * 3600),
          contactEmail: contactEmail),
        memberId: memberId)
      try session.audit(
        AuditEntry(actor: "member:\(memberId)", action: "WebhookSet", target: memberId, detail: url)
      )
      return WebhookReceipt(secret: "", url: url)
    }
    let current = try await blocking.run { [eventStore] () throws(RegistryError) in
      try storageAccess { try eventStore.webhook(memberId: memberId) }
    }
    if current?.secret == secret { receipt.secret = secret }
    return receipt
  }

  /// Where the member's watch changes go from now on: the webhook (as they commit) and/or a daily
  /// e-mail digest.
  public func setAlertChannels(
    webhook: Bool, digestEmail: String, memberId: String, key: IdempotencyKey
  ) async throws(RegistryError) {
    try ContactAddress.checkEmail(digestEmail, field: "digest_email")
    let today = clock.today
    _ = try await writing(key, as: Bool.self, "set the alert channels", target: memberId) {
      session throws(RegistryError) in
      if webhook, try session.webhook(memberId: memberId) == nil {
        throw RegistryError.precondition(
          "WEBHOOK_NOT_SET", "set a webhook first (overdue member webhook set URL)")
      }
      let head = try session.lastSequence()
      var settings =
        try session.alertSettings(memberId: memberId)
        ?? AlertSettings(webhook: false, digestEmail: "", alertCursor: head, digestCursor: head)
      // A channel switched on starts from now; one left on keeps its place in the log.
      if webhook && !settings.webhook { settings.alertCursor = head }
      if !digestEmail.isEmpty && settings.digestEmail.isEmpty {
        settings.digestCursor = head
        settings.lastDigestOn = today
      }
      settings.webhook = webhook
      settings.digestEmail = digestEmail
      try session.save(settings, memberId: memberId)
      try session.audit(
        AuditEntry(
          actor: "member:\(memberId)", action: "AlertChannelsSet", target: memberId,
          detail: "webhook=\(webhook) digest=\(digestEmail)"))
      return true
    }
  }

  /// Schedules (or stops, with `everyDays` 0) reminders for one of the member's listings.
  public func scheduleReminders(_ request: ReminderRequest, memberId: String, key: IdempotencyKey)
    async throws(RegistryError) -> ReminderReceipt
  {
    try InputBounds.check(
      request.listingId, field: "listing_id", max: InputBounds.listingId, kind: .line)
    guard (0...ReminderRequest.maxEveryDays).contains(request.everyDays) else {
      throw .invalid(
        "every_days", "INVALID_INTERVAL",
        "every_days is 1 to \(ReminderRequest.maxEveryDays), or 0 to stop")
    }
    if request.everyDays > 0 {
      try InputBounds.checkCount(
        request.channels.count, field: "channels", max: ReminderChannel.allCases.count,
        reason: "TOO_MANY_CHANNELS")
      guard !request.channels.isEmpty, Set(request.channels).count == request.channels.count else {
        throw .invalid("channels", "INVALID_CHANNELS", "name each reminder channel once")
      }
    }
    try ContactAddress.checkEmail(request.partyEmail, field: "party_email")
    try ContactAddress.checkPhone(request.partyPhone, field: "party_phone")
    for (text, field) in [
      (request.dltHeader, "dlt_header"), (request.dltTemplateId, "dlt_template_id"),
    ] {
      try InputBounds.check(text, field: field, max: 64, kind: .line)
    }
    try InputBounds.check(
      request.paymentInstructions, field: "payment_instructions", max: InputBounds.note,
      kind: .text)
    let today = clock.today
    let receipt = try await writing(
      key, as: ReminderReceipt.self, "schedule reminders", target: request.listingId
    ) { session throws(RegistryError) in
      guard let listing = try session.listing(request.listingId), listing.memberId == memberId
      else {
        throw RegistryError(
          .notFound, reason: "LISTING_NOT_FOUND", message: "no such listing among yours",
          field: "listing_id")
      }
      let existing = try session.reminderSchedule(listingId: listing.id)
      guard request.everyDays > 0 else {
        try session.deleteReminderSchedule(listingId: listing.id)
        try session.audit(
          AuditEntry(actor: "member:\(memberId)", action: "RemindersStopped", target: listing.id))
        return ReminderReceipt(nextOn: nil)
      }
      if case .stop(let why) = ReminderRules.verdict(
        for: listing, on: today, minuteOfDay: 12 * 60, channel: nil)
      {
        throw RegistryError.precondition("WRONG_STATE", "no reminders: \(why)")
      }
      let filed = try session.partyContact(listingId: listing.id)
      let email = request.partyEmail.isEmpty ? filed?.email ?? "" : request.partyEmail
      let phone = request.partyPhone.isEmpty ? filed?.phone ?? "" : request.partyPhone
      if request.channels.contains(.email), email.isEmpty {
        throw RegistryError.invalid(
          "party_email", "MISSING_PARTY_EMAIL", "an e-mail reminder needs the party's e-mail")
      }
      if request.channels.contains(where: { $0 != .email && $0 != .legalNotice }), phone.isEmpty {
        throw RegistryError.invalid(
          "party_phone", "MISSING_PARTY_PHONE", "SMS, WhatsApp and IVR need the party's phone")
      }
      if request.channels.contains(where: { $0.delivery == .webhook }),
        try session.webhook(memberId: memberId) == nil
      {
        throw RegistryError.precondition(
          "WEBHOOK_NOT_SET",
          "SMS, WhatsApp, IVR and legal notices go to your webhook: set one first")
      }
      // Never before the notice was served, and at most one a day.
      var nextOn = max(today, listing.noticeServedOn)
      if let last = existing?.lastSentOn { nextOn = max(nextOn, last.adding(days: 1)) }
      var asked = request
      (asked.partyEmail, asked.partyPhone) = (email, phone)
      try session.save(
        ReminderSchedule(
          request: asked, memberId: memberId, nextOn: nextOn, lastSentOn: existing?.lastSentOn))
      try session.audit(
        AuditEntry(
          actor: "member:\(memberId)", action: "RemindersScheduled", target: listing.id,
          detail: "every \(request.everyDays) days: "
            + request.channels.map(\.rawValue).joined(separator: ",")))
      return ReminderReceipt(nextOn: nextOn)
    }
    return receipt
  }

  /// A page of the member's messages (optionally of one listing), newest first, with attempts.
  public func deliveries(memberId: String, listingId: String?, after cursor: String, limit: Int)
    async throws(RegistryError) -> [Delivery]
  {
    if let listingId {
      _ = try await listing(listingId, for: .member(memberId))
    }
    return try await blocking.run { [eventStore] () throws(RegistryError) in
      try storageAccess {
        try eventStore.deliveries(
          memberId: memberId, listingId: listingId, after: cursor, limit: limit)
      }
    }
  }
}
