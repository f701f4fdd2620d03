/// A time-driven transition the scheduler applies to a listing.
enum ListingDeadline {
  /// The plan's first unpaid instalment went past its deadline.
  case planBreach(instalment: Int)
  /// A settled listing's public history reached its retention period.
  case historyRetentionEnded
  /// An unsettled listing reached its maximum public age.
  case maximumListingAge
}

extension ListingDecider {
  /// The deadlines ahead of a listing, each with the first day on which it applies, in the order
  /// the scheduler applies them. Nothing while a dispute is open; no removal from public view
  /// once removed.
  static func upcomingDeadlines(_ listing: Listing, policy: FilingPolicy) -> [(
    from: CalendarDate, deadline: ListingDeadline
  )] {
    var upcoming: [(from: CalendarDate, deadline: ListingDeadline)] = []
    if listing.state == .onPlan, let plan = listing.plan {
      let paid = plan.instalmentsPaid(totalPaidMinor: listing.paidMinor)
      if paid < plan.instalments.count {
        let lastDay = plan.deadline(of: plan.instalments[paid], graceDays: policy.graceDays)
        upcoming.append((lastDay.adding(days: 1), .planBreach(instalment: paid)))
      }
    }
    guard listing.removedFromPublicView == nil else { return upcoming }
    if listing.state == .settled, let settlement = listing.settlement {
      upcoming.append(
        (settlement.settledOn.adding(years: policy.historyYears), .historyRetentionEnded))
    }
    if listing.state == .listed || listing.state == .onPlan, let listedOn = listing.listedOn {
      upcoming.append((listedOn.adding(years: policy.maxListingYears), .maximumListingAge))
    }
    return upcoming
  }

  /// The first day on which the scheduler has something to do for this listing, if ever (as long
  /// as nothing else happens to it first).
  public static func nextDeadline(_ listing: Listing, policy: FilingPolicy) -> CalendarDate? {
    upcomingDeadlines(listing, policy: policy).map(\.from).min()
  }

  /// The time-driven transitions due today: a breached plan, the end of settled history's
  /// retention, or an unsettled listing's maximum age.
  static func deadlines(_ listing: Listing, today: CalendarDate, policy: FilingPolicy)
    -> [ListingEvent]
  {
    guard
      let due = upcomingDeadlines(listing, policy: policy).first(where: { $0.from <= today })
    else { return [] }
    switch due.deadline {
    case .planBreach(let instalment):
      return [.planBreached(on: today, instalment: instalment)]
    case .historyRetentionEnded:
      return [.removedFromPublicView(on: today, reason: .historyRetentionEnded)]
    case .maximumListingAge:
      return [.removedFromPublicView(on: today, reason: .maximumListingAgeReached)]
    }
  }
}
