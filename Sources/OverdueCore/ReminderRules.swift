/// What a member asks of a listing's reminders (SPEC section 6): every `everyDays` days (0 stops
/// them), on the given channels, to the party's contact (empty: the one given at filing).
public struct ReminderRequest: Codable, Sendable, Equatable {
  public var listingId: String
  public var everyDays: Int
  public var channels: [ReminderChannel]
  public var partyEmail: String
  public var partyPhone: String
  /// The member declares itself a micro or small enterprise (MSMED Act 2006).
  public var msmeSupplier: Bool
  public var dltHeader: String
  public var dltTemplateId: String
  public var paymentInstructions: String

  public init(
    listingId: String, everyDays: Int, channels: [ReminderChannel], partyEmail: String = "",
    partyPhone: String = "", msmeSupplier: Bool = false, dltHeader: String = "",
    dltTemplateId: String = "", paymentInstructions: String = ""
  ) {
    self.listingId = listingId
    self.everyDays = everyDays
    self.channels = channels
    self.partyEmail = partyEmail
    self.partyPhone = partyPhone
    self.msmeSupplier = msmeSupplier
    self.dltHeader = dltHeader
    self.dltTemplateId = dltTemplateId
    self.paymentInstructions = paymentInstructions
  }

  /// The most days between reminders a member may ask for.
  public static let maxEveryDays = 90
}

/// A listing's reminder schedule: what its member asked (the party's contact filled in from the
/// filing where the request gave none), and where the schedule stands.
public struct ReminderSchedule: Codable, Sendable, Equatable {
  public var request: ReminderRequest
  public var memberId: String
  /// The first day the next reminder may go out.
  public var nextOn: CalendarDate
  public var lastSentOn: CalendarDate?

  public init(
    request: ReminderRequest, memberId: String, nextOn: CalendarDate,
    lastSentOn: CalendarDate? = nil
  ) {
    self.request = request
    self.memberId = memberId
    self.nextOn = nextOn
    self.lastSentOn = lastSentOn
  }

  public var listingId: String { request.listingId }
}

/// The rules a reminder obeys, checked when it is scheduled and again when it is sent.
public enum ReminderRules {
  /// What to do with a reminder for `listing` on `today` at `minuteOfDay` (0 … 1439, in the
  /// registry's time zone) on `channel`.
  public enum Verdict: Equatable, Sendable {
    case send
    /// Not now, maybe later: the notice is not yet served, or the listing is disputed.
    case wait(String)
    /// Not now: SMS and IVR wait for 09:00.
    case quietHours(String)
    /// Never: the listing ended (settled, withdrawn, rejected, voided).
    case stop(String)
  }

  /// SMS and IVR go out only from 09:00 to 21:00.
  public static let quietHoursEnd = 9 * 60
  public static let quietHoursStart = 21 * 60

  public static func verdict(
    for listing: Listing, on today: CalendarDate, minuteOfDay: Int, channel: ReminderChannel?
  ) -> Verdict {
    switch listing.state {
    case .settled, .withdrawn, .rejected, .voided:
      return .stop("the listing is \(listing.state.rawValue.lowercased())")
    case .disputed:
      return .wait("paused while the listing is disputed")
    case .pending, .listed, .onPlan:
      break
    }
    if listing.removedFromPublicView != nil {
      return .stop("the listing left the public view")
    }
    guard listing.noticeServedOn <= today else {
      return .wait("the notice is served only on \(listing.noticeServedOn)")
    }
    if let channel, channel.keepsQuietHours, !isDaytime(minuteOfDay) {
      return .quietHours("quiet hours: \(channel.rawValue) goes out from 09:00 to 21:00")
    }
    return .send
  }

  /// Whether `minuteOfDay` is within 09:00–21:00.
  public static func isDaytime(_ minuteOfDay: Int) -> Bool {
    minuteOfDay >= quietHoursEnd && minuteOfDay < quietHoursStart
  }

  /// Minutes from `minuteOfDay` until 09:00 (today's, or tomorrow's once past it).
  public static func minutesUntilDaytime(from minuteOfDay: Int) -> Int {
    if isDaytime(minuteOfDay) { return 0 }
    return minuteOfDay < quietHoursEnd
      ? quietHoursEnd - minuteOfDay : 24 * 60 - minuteOfDay + quietHoursEnd
  }
}
