import Foundation

/// The listing rules as a pure function: a command on a listing's current state gives events or a refusal.
public enum ListingDecider {
  /// Decides `command` against `listing` (nil when it does not exist yet).
  public static func decide(
    _ command: ListingCommand, on listing: Listing?, context: DecisionContext
  )
    throws(RegistryError) -> [ListingEvent]
  {
    if case .file(let filing) = command {
      return try file(filing, exists: listing != nil, context: context)
    }
    guard let listing else { throw notFound() }
    try authorize(command, on: listing, context: context)
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
        claimed: context.claimedInvoices, today: context.today, policy: context.policy)
      return [
        .amended(
          legalName: name, invoices: invoices, noticeServedOn: notice,
          addedEvidence: amendment.addedEvidence)
      ]
    case .verify:
      try require(listing, in: [.pending], to: command)
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
    case .reject(let reason):
      try require(listing, in: [.pending], to: command)
      guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
        throw .invalid("reason", "MISSING_REASON", "a rejection needs a reason")
      }
      return [.rejected(reason: reason, by: context.actor.description)]
    case .recordPayment(let payment):
      try require(listing, in: [.listed, .onPlan], to: command)
      let outstanding = listing.outstandingMinor
      guard payment.amountMinor > 0 else {
        throw .invalid("amount_minor", "NON_POSITIVE_AMOUNT", "a payment must be more than zero")
      }
      guard payment.amountMinor <= outstanding else {
        throw .invalid(
          "amount_minor", "PAYMENT_EXCEEDS_OUTSTANDING",
          "the payment \(payment.amountMinor) exceeds the outstanding \(outstanding)")
      }
      try checkDate(payment.paidOn, field: "paid_on", listing: listing, today: context.today)
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
      let outstanding = listing.outstandingMinor
      let received = amount == 0 ? outstanding : amount
      guard received > 0, received <= outstanding else {
        throw .invalid(
          "amount_minor", "SETTLEMENT_AMOUNT_OUT_OF_RANGE",
          "a settlement amount must be between 1 and the outstanding \(outstanding) (0 means all of it)"
        )
      }
      try checkDate(on, field: "settled_on", listing: listing, today: context.today)
      return [
        .settled(
          Settlement(
            settledOn: on, amountMinor: received, inFull: received == outstanding,
            confirmedBy: context.actor.description))
      ]
    case .withdraw(let reason, let note):
      try require(listing, in: [.pending, .listed], to: command)
      return [.withdrawn(reason: reason, note: note, on: context.today)]
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
        message: "listing \(filing.listingId) already exists")
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

  /// Members act on their own listings only; operators on any. A stranger's listing does not exist.
  static func authorize(_ command: ListingCommand, on listing: Listing, context: DecisionContext)
    throws(RegistryError)
  {
    let operatorOnly: Bool
    switch command {
    case .verify, .reject, .settleOnPartyProof: operatorOnly = true
    case .file, .amend, .recordPayment, .confirmSettlement, .withdraw: operatorOnly = false
    }
    switch context.actor {
    case .member(let id):
      guard listing.memberId == id else { throw notFound() }
      try requireActiveMember(context)
      guard !operatorOnly else {
        throw RegistryError(
          .permissionDenied, reason: "OPERATORS_ONLY",
          message: "only an operator can \(command.verb) a listing")
      }
    case .operator:
      guard operatorOnly else {
        throw RegistryError(
          .permissionDenied, reason: "MEMBERS_ONLY",
          message: "only the listing member can \(command.verb) a listing")
      }
    }
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

  static func checkDate(_ date: CalendarDate, field: String, listing: Listing, today: CalendarDate)
    throws(RegistryError)
  {
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
