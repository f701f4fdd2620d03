/// The risk model: a small table of rules, each raising the band to at least its level.
///
/// | code                | when                                                   | band |
/// |---------------------|--------------------------------------------------------|------|
/// | SETTLED_HISTORY     | only settled listings, all in full                     | A    |
/// | SETTLED_FOR_LESS    | a listing settled for an agreed lesser amount          | B    |
/// | ON_PAYMENT_PLAN     | a listing on a payment plan                            | B    |
/// | UNDER_DISPUTE       | a listing under dispute                                | B    |
/// | ACTIVE_DEFAULT      | a listing with active impact                           | C    |
/// | LONG_OVERDUE        | an open debt 180 or more days past due                 | D    |
/// | PLAN_BREACHED       | a payment plan was breached                            | D    |
/// | SEVERAL_MEMBERS     | open debts to 2 or more members                        | D    |
/// | MANY_MEMBERS        | open debts to 3 or more members                        | E    |
/// | REPEAT_DEFAULTER    | a new default after an earlier settlement              | E    |
enum RiskBand {
  static let longOverdueDays = 180

  static func assess(
    status: ImpactStatus, summary: PartySummary, repeatDefaulter: Bool, listings: [PublicListing]
  )
    -> (band: String?, reasons: [RiskReason])
  {
    guard status != .clear else { return (nil, []) }
    var level = 0
    var reasons: [RiskReason] = []
    func rule(_ applies: Bool, _ band: Int, _ code: String, _ message: String) {
      guard applies else { return }
      level = max(level, band)
      reasons.append(RiskReason(code: code, message: message))
    }
    let states = Set(listings.map(\.state))
    let openMembers = Set(listings.filter(\.isOpen).map(\.memberId)).count
    rule(
      status == .resolved && summary.settledForLess == 0, 0, "SETTLED_HISTORY",
      "only settled history, all settled in full")
    rule(
      summary.settledForLess > 0, 1, "SETTLED_FOR_LESS",
      "\(summary.settledForLess) listing(s) settled for an agreed lesser amount")
    rule(states.contains(.onPlan), 1, "ON_PAYMENT_PLAN", "on a payment plan")
    rule(states.contains(.disputed), 1, "UNDER_DISPUTE", "a listing is under dispute")
    rule(states.contains(.listed), 2, "ACTIVE_DEFAULT", "\(summary.openListings) open default(s)")
    rule(
      summary.maxDaysPastDue >= longOverdueDays, 3, "LONG_OVERDUE",
      "\(summary.maxDaysPastDue) days past due")
    rule(
      summary.plansBreached > 0, 3, "PLAN_BREACHED",
      "\(summary.plansBreached) payment plan(s) breached")
    rule(openMembers >= 2, 3, "SEVERAL_MEMBERS", "open defaults with \(openMembers) members")
    rule(openMembers >= 3, 4, "MANY_MEMBERS", "open defaults with 3 or more members")
    rule(repeatDefaulter, 4, "REPEAT_DEFAULTER", "defaulted again after an earlier settlement")
    return (String(Array("ABCDE")[level]), reasons)
  }
}
