/// A party's overall standing, from the most to the least severe.
public enum ImpactStatus: String, Codable, Sendable {
  case clear = "CLEAR"
  case active = "ACTIVE"
  case onPlan = "ON_PLAN"
  case disputed = "DISPUTED"
  case resolved = "RESOLVED"
}

/// The figures a check reports about a party's public listings.
public struct PartySummary: Sendable, Equatable {
  public var publicListings = 0
  public var openListings = 0
  public var distinctMembers = 0
  public var originalByCurrency: [String: Int64] = [:]
  public var outstandingByCurrency: [String: Int64] = [:]
  public var oldestDueOn: CalendarDate?
  public var maxDaysPastDue = 0
  public var lastPaymentOn: CalendarDate?
  public var settledInFull = 0
  public var settledForLess = 0
  public var averageDaysToSettle: Int?
  public var plansBreached = 0
}

/// A coded reason behind a risk band.
public struct RiskReason: Sendable, Equatable {
  public var code: String
  public var message: String
}

/// What a check concludes from a party's public listings: status, summary, risk band.
public struct PartyAssessment: Sendable, Equatable {
  public static let riskModelVersion = "overdue-risk-1"

  public var status: ImpactStatus
  public var repeatDefaulter: Bool
  public var summary: PartySummary
  /// A–E, nil for a CLEAR party (the registry knows nothing, which is not "good").
  public var riskBand: String?
  public var riskReasons: [RiskReason]

  /// The assessment of a party with no public listings.
  public static let clear = PartyAssessment(listings: [], today: CalendarDate(dayNumber: 0))

  public init(listings: [PublicListing], today: CalendarDate) {
    summary = Self.summarise(listings, today: today)
    status = Self.status(of: listings)
    repeatDefaulter = Self.isRepeatDefaulter(listings)
    (riskBand, riskReasons) = RiskBand.assess(
      status: status, summary: summary, repeatDefaulter: repeatDefaulter, listings: listings)
  }

  /// Precedence: ACTIVE › ON_PLAN › DISPUTED › RESOLVED › CLEAR.
  public static func status(of listings: [PublicListing]) -> ImpactStatus {
    let states = Set(listings.map(\.state))
    if states.contains(.listed) { return .active }
    if states.contains(.onPlan) { return .onPlan }
    if states.contains(.disputed) { return .disputed }
    if states.contains(.settled) { return .resolved }
    return .clear
  }

  /// A listing published after an earlier one was settled, judged by log order, so a re-listing
  /// verified on the day of a settlement counts only when it came after it. A pair in which
  /// either sequence is missing (rows projected before they were kept) falls back to dates.
  static func isRepeatDefaulter(_ listings: [PublicListing]) -> Bool {
    let settled = listings.filter { $0.settledOn != nil }
    guard let firstSettledOn = settled.compactMap(\.settledOn).min() else { return false }
    let firstSettledSequence = settled.compactMap(\.settledSequence).min()
    let firstSettledOnWithoutSequence = settled.filter { $0.settledSequence == nil }
      .compactMap(\.settledOn).min()
    return listings.contains { listing in
      guard listing.isOpen, let listedOn = listing.listedOn else { return false }
      guard let listedSequence = listing.listedSequence else { return listedOn > firstSettledOn }
      if let firstSettledSequence, listedSequence > firstSettledSequence { return true }
      return firstSettledOnWithoutSequence.map { listedOn > $0 } ?? false
    }
  }

  static func summarise(_ listings: [PublicListing], today: CalendarDate) -> PartySummary {
    var summary = PartySummary()
    summary.publicListings = listings.count
    let open = listings.filter(\.isOpen)
    summary.openListings = open.count
    summary.distinctMembers = Set(listings.map(\.memberId)).count
    // Saturating: see SaturatingArithmetic.swift.
    for listing in listings {
      summary.originalByCurrency[listing.currency, default: 0].saturatingAdd(listing.originalMinor)
      summary.outstandingByCurrency[listing.currency, default: 0].saturatingAdd(
        listing.outstandingMinor)
    }
    summary.oldestDueOn = open.map(\.oldestDueOn).min()
    summary.maxDaysPastDue = open.map { $0.oldestDueOn.days(until: today) }.max() ?? 0
    summary.lastPaymentOn = listings.flatMap { [$0.lastPaymentOn, $0.settledOn].compactMap { $0 } }
      .max()
    let settled = listings.filter { $0.state == .settled }
    summary.settledInFull = settled.filter { $0.settledInFull == true }.count
    summary.settledForLess = settled.count - summary.settledInFull
    let days = settled.compactMap(\.daysToSettle)
    summary.averageDaysToSettle = days.isEmpty ? nil : days.saturatingSum { $0 } / days.count
    summary.plansBreached = listings.saturatingSum(\.planBreaches.count)
    return summary
  }
}
