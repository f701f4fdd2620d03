import Foundation
public import OverdueCore
import OverdueStore

/// The decisions that queue messages, each in the transaction that makes it: a party notice with
/// the verification or settlement that causes it, a reminder with the schedule's advance, an
/// alert or a digest with the cursor that marks its changes as queued. Message ids are derived
/// from what caused them, so a decision made twice queues once.
extension Registry {
  /// Asks the outbox dispatcher to look for due messages now, as it does when the registry's own
  /// decisions queue some: for messages queued straight into the outbox (a benchmark's batch).
  public func deliverQueuedNow() {
    outboxQueued.wake()
  }

  /// The notices to the party that `events` call for (listed on verification, the impact ceased on
  /// settlement), queued in `session`'s transaction. Nothing without the party's e-mail. Every
  /// listing command passes here: the contact is read only when a notice is called for.
  func queuePartyNotices(
    for events: [ListingEvent], after listing: Listing?, session: WriteSession, now: Date
  ) throws(RegistryError) {
    let notices: [(idPrefix: String, kind: MessageKind)] = events.compactMap { event in
      switch event {
      case .verified: ("listed", .partyListed)
      case .settled: ("settled", .partySettled)
      default: nil
      }
    }
    guard !notices.isEmpty, let listing,
      let contact = try session.partyContact(listingId: listing.id), !contact.email.isEmpty
    else { return }
    let memberName = try session.member(listing.memberId)?.displayName ?? listing.memberId
    for (idPrefix, kind) in notices {
      let email =
        kind == .partyListed
        ? MessageTemplates.partyListed(listing, memberName: memberName)
        : MessageTemplates.partySettled(listing, memberName: memberName)
      try session.enqueue(
        emailMessage(
          id: "\(idPrefix).\(listing.id)", kind: kind, memberId: listing.memberId,
          listingId: listing.id, to: contact.email, email, now: now))
    }
  }

  /// The scheduler's reminder pass: every schedule due today whose listing allows it queues one
  /// message per channel and moves to its next day; a schedule whose listing ended is dropped.
  /// Returns how many messages were queued.
  @discardableResult
  public func queueDueReminders() async throws(RegistryError) -> Int {
    let now = clock.now()
    let today = clock.today
    let queued = try await blocking.run { () throws(RegistryError) in
      let due = try storageAccess {
        try self.eventStore.dueReminderSchedules(by: today, limit: 10_000)
      }
      var queued = 0
      for schedule in due {
        queued += try self.eventStore.perform(
          systemRequest: "reminders:\(today):\(schedule.listingId)"
        ) { session throws(RegistryError) in
          try self.queueReminders(schedule.listingId, today: today, now: now, session: session)
        }
      }
      return queued
    }
    if queued > 0 { outboxQueued.wake() }
    return queued
  }

  private func queueReminders(
    _ listingId: String, today: CalendarDate, now: Date, session: WriteSession
  ) throws(RegistryError) -> Int {
    // Decided from the schedule and listing as they are in this transaction.
    guard var schedule = try session.reminderSchedule(listingId: listingId),
      schedule.nextOn <= today
    else { return 0 }
    guard let listing = try session.listing(listingId) else {
      try session.deleteReminderSchedule(listingId: listingId)
      return 0
    }
    switch ReminderRules.verdict(for: listing, on: today, minuteOfDay: 12 * 60, channel: nil) {
    case .stop:
      try session.deleteReminderSchedule(listingId: listingId)
      return 0
    case .wait, .quietHours:
      // Disputed, or the notice not yet served: looked at again tomorrow (so schedules that wait
      // never crowd out those that are due).
      schedule.nextOn = today.adding(days: 1)
      try session.save(schedule)
      return 0
    case .send:
      break
    }
    // SMS and IVR may only go out in the daytime: the whole day's reminder waits for 09:00
    // rather than sending them deferred into tomorrow, next to tomorrow's.
    if schedule.request.channels.contains(where: \.keepsQuietHours),
      !ReminderRules.isDaytime(clock.minuteOfDay)
    {
      return 0
    }
    let memberName = try session.member(listing.memberId)?.displayName ?? listing.memberId
    let facts = reminderFacts(listing, schedule: schedule, memberName: memberName, today: today)
    var queued = 0
    for channel in schedule.request.channels {
      let id = "reminder.\(listing.id).\(today).\(channel.rawValue.lowercased())"
      let message: OutboxMessage
      switch channel {
      case .email:
        message = emailMessage(
          id: id, kind: .reminder, reminderChannel: .email, memberId: listing.memberId,
          listingId: listing.id, to: schedule.request.partyEmail,
          MessageTemplates.reminderEmail(facts), now: now)
      case .sms, .whatsapp, .ivr, .legalNotice:
        message = OutboxMessage(
          id: id, kind: .reminder, channel: .webhook, reminderChannel: channel,
          memberId: listing.memberId, listingId: listing.id,
          recipient: try session.webhook(memberId: listing.memberId)?.url ?? "",
          subject: "\(channel.rawValue) reminder to \(schedule.request.partyPhone)",
          webhookBody: MessageTemplates.reminderWebhook(
            facts, channel: channel, schedule: schedule, at: now),
          createdAt: now)
      }
      if try session.enqueue(message) { queued += 1 }
    }
    schedule.lastSentOn = today
    schedule.nextOn = today.adding(days: schedule.request.everyDays)
    try session.save(schedule)
    return queued
  }

  func reminderFacts(
    _ listing: Listing, schedule: ReminderSchedule, memberName: String, today: CalendarDate
  ) -> MessageTemplates.ReminderFacts {
    var interest: MSMEDInterest?
    if schedule.request.msmeSupplier, listing.currency == "INR" {
      interest = MSMEDInterest.accrued(
        on: listing.invoices, payments: listing.payments,
        bankRateBasisPoints: notices.bankRateBasisPoints, asOf: today)
    }
    return MessageTemplates.ReminderFacts(
      listing: listing, memberName: memberName, today: today,
      paymentInstructions: schedule.request.paymentInstructions, msmedInterest: interest)
  }

  /// The digest pass: each member with a digest address not yet sent one today gets the changes
  /// since its last digest, in one message (none when nothing changed); its cursor moves in the
  /// same transaction.
  @discardableResult
  public func queueDigests() async throws -> Int {
    let today = clock.today
    let now = clock.now()
    var queued = 0
    let members = try await blocking.run { [eventStore] () throws(RegistryError) in
      try storageAccess { try eventStore.activeAlertSettings() }
    }
    for (memberId, settings) in members
    where !settings.digestEmail.isEmpty && (settings.lastDigestOn ?? .init(dayNumber: 0)) < today {
      var feed = try await ChangeFeed.start(
        registry: self, memberId: memberId, from: settings.digestCursor)
      var cursor = settings.digestCursor
      var changes: [WatchedChange] = []
      var omitted = 0
      repeat {
        let (scanned, found) = try await feed.changes(after: cursor)
        let room = max(0, MessageTemplates.digestLines - changes.count)
        changes += found.prefix(room)
        omitted += max(0, found.count - room)
        cursor = scanned
      } while feed.batchWasFull
      let scannedTo = cursor
      let found = changes
      let left = omitted
      let isNew = try await blocking.run { () throws(RegistryError) in
        try self.eventStore.perform(systemRequest: "digest:\(today):\(memberId)") {
          session throws(RegistryError) in
          guard var current = try session.alertSettings(memberId: memberId),
            current.digestCursor == settings.digestCursor, !current.digestEmail.isEmpty
          else { return false }
          var isNew = false
          if !found.isEmpty {
            isNew = try session.enqueue(
              self.emailMessage(
                id: "digest.\(memberId).\(today)", kind: .digest, memberId: memberId,
                listingId: "", to: current.digestEmail,
                MessageTemplates.digest(found, omitted: left, on: today), now: now))
          }
          current.digestCursor = scannedTo
          current.lastDigestOn = today
          try session.save(current, memberId: memberId)
          return isNew
        }
      }
      if isNew { queued += 1 }
    }
    if queued > 0 { outboxQueued.wake() }
    return queued
  }

  /// Queues, for one member with webhook alerts, the watch changes after `cursor`, and moves the
  /// stored cursor (from `stored`) past them, in one transaction. A scan that found nothing writes
  /// nothing unless `persistAnyway`: the stored cursor then lags, and a restart rescans (finding
  /// nothing again). Returns the sequence scanned to and the cursor now stored.
  func relayAlerts(
    memberId: String, feed: inout ChangeFeed, from cursor: UInt64, stored: UInt64,
    persistAnyway: Bool
  ) async throws -> (scanned: UInt64, stored: UInt64) {
    try await feed.reloadIfChanged(from: cursor)
    let (scanned, changes) = try await feed.changes(after: cursor)
    guard scanned > stored, !changes.isEmpty || persistAnyway else { return (scanned, stored) }
    let now = clock.now()
    let queued = try await blocking.run { () throws(RegistryError) in
      try self.eventStore.perform(systemRequest: "alerts:\(memberId):\(scanned)") {
        session throws(RegistryError) in
        guard var settings = try session.alertSettings(memberId: memberId), settings.webhook,
          settings.alertCursor == stored
        else { return 0 }
        let url = try session.webhook(memberId: memberId)?.url ?? ""
        var queued = 0
        var previous: (sequence: UInt64, index: Int) = (0, 0)
        for change in changes {
          // One event can change several watched entries (a PAN and a GSTIN under it).
          let index = change.sequence == previous.sequence ? previous.index + 1 : 0
          previous = (change.sequence, index)
          let message = OutboxMessage(
            id: "alert.\(memberId).\(change.sequence).\(index)", kind: .alert, channel: .webhook,
            memberId: memberId, listingId: change.listingId, recipient: url,
            subject: "\(change.kind?.rawValue ?? "") \(change.party.value)",
            webhookBody: MessageTemplates.alert(change, at: now), createdAt: now)
          if try session.enqueue(message) { queued += 1 }
        }
        settings.alertCursor = scanned
        try session.save(settings, memberId: memberId)
        return queued
      }
    }
    if queued > 0 { outboxQueued.wake() }
    return (scanned, scanned)
  }

  func emailMessage(
    id: String, kind: MessageKind, reminderChannel: ReminderChannel? = nil, memberId: String,
    listingId: String, to address: String, _ email: MessageTemplates.Email, now: Date
  ) -> OutboxMessage {
    OutboxMessage(
      id: id, kind: kind, channel: .email, reminderChannel: reminderChannel, memberId: memberId,
      listingId: listingId, recipient: address, subject: email.subject, text: email.text,
      html: email.html, createdAt: now)
  }
}
