import Foundation

/// The listing rules as a pure function: a command on a listing's current state gives events or a
/// refusal. Anything SPEC section 3's transition table does not allow is `WRONG_STATE`.
public enum ListingDecider {
  /// Decides `command` against `listing` (nil when it does not exist yet).
  public static func decide(
    _ command: ListingCommand, on listing: Listing?, context: DecisionContext
  ) throws(RegistryError) -> [ListingEvent] {
    try checkBounds(of: command, on: listing, policy: context.policy)
    if case .file(let filing) = command {
      return try file(filing, exists: listing != nil, context: context)
    }
    guard let listing else { throw notFound() }
    try authorize(command, on: listing, context: context)
    let today = context.today
    switch command {
    case .file:
      return []
    case .amend(let amendment):
      try require(listing, in: [.pending], to: command)
      let invoices = amendment.invoices ?? listing.invoices
      let notice = amendment.noticeServedOn ?? listing.noticeServedOn
      let name = amendment.legalName ?? listing.legalName
      try FilingRules.check(
        legalName: name, currency: listing.currency, invoices: invoices, noticeServedOn: notice,
        claimed: context.claimedInvoices, today: today, policy: context.policy)
      return [
        .amended(
          legalName: name, invoices: invoices, noticeServedOn: notice,
          addedEvidence: amendment.addedEvidence)
      ]
    case .verify:
      return try verify(listing, context: context)
    case .reject(let reason):
      try require(listing, in: [.pending], to: command)
      try requireText(reason, field: "reason", what: "a rejection")
      return [.rejected(reason: reason, by: context.actor.description)]
    case .recordPayment(let payment):
      try require(listing, in: [.listed, .onPlan], to: command)
      let outstanding = listing.outstandingMinor
      guard payment.amountMinor > 0 else {
        throw .invalid("amount_minor", "NON_POSITIVE_AMOUNT", "a payment must be more than zero")
      }
      try FilingRules.checkMaximum(
        payment.amountMinor, context.policy.maximumMinor(for: listing.currency),
        field: "amount_minor")
      guard payment.amountMinor <= outstanding else {
        throw .invalid(
          "amount_minor", "PAYMENT_EXCEEDS_OUTSTANDING",
          "the payment \(payment.amountMinor) exceeds the outstanding \(outstanding)")
      }
      try checkDate(payment.paidOn, field: "paid_on", listing: listing, today: today)
      var events: [ListingEvent] = [.paymentRecorded(payment)]
      if payment.amountMinor == outstanding {
        events.append(
          .settled(
            Settlement(
              settledOn: payment.paidOn, amountMinor: 0, inFull: true,
              confirmedBy: context.actor.description)))
      }
      return events
    case .confirmSettlement(let on, let amount, _), .settleOnPartyProof(let on, let amount, _):
      try require(listing, in: [.listed, .onPlan], to: command)
      try FilingRules.checkMaximum(
        amount, context.policy.maximumMinor(for: listing.currency), field: "amount_minor")
      let outstanding = listing.outstandingMinor
      let received = amount == 0 ? outstanding : amount
      guard received > 0, received <= outstanding else {
        throw .invalid(
          "amount_minor", "SETTLEMENT_AMOUNT_OUT_OF_RANGE",
          "a settlement amount must be between 1 and the outstanding \(outstanding) (0 means all of it)"
        )
      }
      try checkDate(on, field: "settled_on", listing: listing, today: today)
      return [
        .settled(
          Settlement(
            settledOn: on, amountMinor: received, inFull: received == outstanding,
            confirmedBy: context.actor.description))
      ]
    case .withdraw(let reason, let note):
      try require(listing, in: [.pending, .listed], to: command)
      return [.withdrawn(reason: reason, note: note, on: today)]
    case .agreePlan(let instalments):
      try require(listing, in: [.listed, .onPlan], to: command)
      try PlanRules.check(
        instalments, outstanding: listing.outstandingMinor,
        maximum: context.policy.maximumMinor(for: listing.currency), context: context)
      return [
        .planAgreed(
          PaymentPlan(instalments: instalments, agreedOn: today, paidBeforeMinor: listing.paidMinor)
        )
      ]
    case .recordDispute(let statement, let raisedOn):
      try require(listing, in: [.pending, .listed, .onPlan, .settled], to: command)
      try requireText(statement, field: "statement", what: "a dispute")
      guard raisedOn <= today else {
        throw .invalid("raised_on", "DATE_IN_FUTURE", "raised_on \(raisedOn) is in the future")
      }
      let dispute = Dispute(raisedOn: raisedOn, statement: statement, previousState: listing.state)
      return [.disputeRecorded(dispute, by: context.actor.description)]
    case .decideDispute(let outcome, let reason):
      try require(listing, in: [.disputed], to: command)
      try requireText(reason, field: "reason", what: "a dispute decision")
      return [
        .disputeDecided(outcome: outcome, reason: reason, on: today, by: context.actor.description)
      ]
    case .applyDeadlines:
      return deadlines(listing, today: today, policy: context.policy)
    }
  }

  static func file(_ filing: Filing, exists: Bool, context: DecisionContext) throws(RegistryError)
    -> [ListingEvent]
  {
    guard case .member(let memberId) = context.actor, let member = context.member,
      member.id == memberId
    else {
      throw RegistryError(
        .permissionDenied, reason: "MEMBERS_ONLY", message: "only a member can file a default")
    }
    guard !exists else {
      throw RegistryError(
        .alreadyExists, reason: "LISTING_EXISTS",
        message: "listing \(filing.listingId) already exists"
      )
    }
    try requireActiveMember(context)
    try FilingRules.checkParty(filing.party, member: member)
    try FilingRules.check(
      legalName: filing.legalName, currency: filing.currency, invoices: filing.invoices,
      noticeServedOn: filing.noticeServedOn, claimed: context.claimedInvoices, today: context.today,
      policy: context.policy)
    let listing = Listing(
      id: filing.listingId, memberId: memberId, party: filing.party, pan: filing.party.linkedPAN,
      legalName: filing.legalName.trimmingCharacters(in: .whitespaces), currency: filing.currency,
      invoices: filing.invoices, noticeServedOn: filing.noticeServedOn, evidence: filing.evidence,
      state: .pending, filedOn: context.today)
    return [.filed(listing)]
  }

  static func verify(_ listing: Listing, context: DecisionContext) throws(RegistryError)
    -> [ListingEvent]
  {
    try require(listing, in: [.pending], to: .verify)
    guard !listing.evidence.isEmpty else {
      throw .precondition(
        "EVIDENCE_REQUIRED",
        "a listing needs at least one evidence document before it can be verified")
    }
    try FilingRules.check(
      legalName: listing.legalName, currency: listing.currency, invoices: listing.invoices,
      noticeServedOn: listing.noticeServedOn, claimed: [], today: context.today,
      policy: context.policy)
    let noticeOver = listing.noticeServedOn.adding(days: context.policy.noticeDays)
    guard context.today >= noticeOver else {
      throw .precondition(
        "NOTICE_PERIOD_NOT_OVER",
        "notice was served on \(listing.noticeServedOn); the listing can be verified from \(noticeOver)"
      )
    }
    return [.verified(on: context.today, by: context.actor.description)]
  }

  /// Members act on their own listings only; operators on any; the scheduler only applies
  /// deadlines. A stranger's listing does not exist.
  static func authorize(_ command: ListingCommand, on listing: Listing, context: DecisionContext)
    throws(RegistryError)
  {
    let allowed: Set<String>
    switch command {
    case .verify, .reject, .settleOnPartyProof, .recordDispute, .decideDispute:
      allowed = ["operator"]
    case .file, .amend, .recordPayment, .confirmSettlement, .withdraw, .agreePlan:
      allowed = ["member"]
    case .applyDeadlines:
      allowed = ["scheduler"]
    }
    switch context.actor {
    case .member(let id):
      guard listing.memberId == id else { throw notFound() }
      try requireActiveMember(context)
      guard allowed.contains("member") else { throw notAllowed(command, allowed) }
    case .operator:
      guard allowed.contains("operator") else { throw notAllowed(command, allowed) }
    case .scheduler:
      guard allowed.contains("scheduler") else { throw notAllowed(command, allowed) }
    }
  }

  static func notAllowed(_ command: ListingCommand, _ allowed: Set<String>) -> RegistryError {
    if allowed.contains("operator") {
      return RegistryError(
        .permissionDenied, reason: "OPERATORS_ONLY",
        message: "only an operator can \(command.verb) a listing")
    }
    if allowed.contains("member") {
      return RegistryError(
        .permissionDenied, reason: "MEMBERS_ONLY",
        message: "only the listing member can \(command.verb) a listing")
    }
    return RegistryError(
      .permissionDenied, reason: "SCHEDULER_ONLY", message: "only the scheduler applies deadlines")
  }

  static func requireActiveMember(_ context: DecisionContext) throws(RegistryError) {
    if let member = context.member, member.status == .suspended {
      throw RegistryError(
        .permissionDenied, reason: "MEMBER_SUSPENDED",
        message: "member \(member.id) is suspended and cannot write")
    }
  }

  static func require(_ listing: Listing, in states: Set<ListingState>, to command: ListingCommand)
    throws(RegistryError)
  {
    guard states.contains(listing.state) else {
      throw .precondition(
        "WRONG_STATE",
        "cannot \(command.verb) listing \(listing.id) while it is \(listing.state.rawValue)")
    }
  }

  static func requireText(_ text: String, field: String, what: String) throws(RegistryError) {
    guard !text.trimmingCharacters(in: .whitespaces).isEmpty else {
      throw .invalid(field, "MISSING_\(field.uppercased())", "\(what) needs a \(field)")
    }
  }

  static func checkDate(
    _ date: CalendarDate, field: String, listing: Listing, today: CalendarDate
  ) throws(RegistryError) {
    guard date <= today else {
      throw .invalid(field, "DATE_IN_FUTURE", "\(field) \(date) is in the future")
    }
    let earliest = listing.invoices.map(\.issuedOn).min()!
    guard date >= earliest else {
      throw .invalid(
        field, "DATE_BEFORE_INVOICES",
        "\(field) \(date) is before the first invoice was issued (\(earliest))")
    }
  }

  static func notFound() -> RegistryError {
    RegistryError(.notFound, reason: "LISTING_NOT_FOUND", message: "no such listing among yours")
  }
}
