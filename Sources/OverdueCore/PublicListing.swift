/// A listing as checks may show it: no invoice numbers, payment references, notes or evidence.
public struct PublicListing: Codable, Sendable, Equatable {
  public var listingId: String
  public var filedUnder: PartyIdentifier
  public var pan: String?
  public var state: ListingState
  public var memberId: String
  public var currency: String
  public var originalMinor: Int64
  public var outstandingMinor: Int64
  public var invoiceCount: Int
  public var oldestDueOn: CalendarDate
  public var latestDueOn: CalendarDate
  public var noticeServedOn: CalendarDate
  public var listedOn: CalendarDate?
  public var lastPaymentOn: CalendarDate?
  public var settledOn: CalendarDate?
  public var settledInFull: Bool?
  /// The log sequence of the listing's verification and of its settlement, which order events
  /// of the same day; nil in rows projected before they were kept.
  public var listedSequence: UInt64?
  public var settledSequence: UInt64?
  /// Plan progress while on a plan (or after one): instalments in all, paid, and the next due date.
  public var planInstalments: Int?
  public var planInstalmentsPaid: Int?
  public var planNextDueOn: CalendarDate?
  /// When payment plans on this listing were breached.
  public var planBreaches: [CalendarDate]
  /// Disputes: when raised, and when and how decided (statements are not public).
  public var disputes: [PublicDispute]

  /// The public face of `listing`, or nil when its state is not public.
  public init?(_ listing: Listing) {
    guard listing.isPublic else { return nil }
    listingId = listing.id
    filedUnder = listing.party
    pan = listing.pan
    state = listing.state
    memberId = listing.memberId
    currency = listing.currency
    originalMinor = listing.originalMinor
    outstandingMinor = listing.outstandingMinor
    invoiceCount = listing.invoices.count
    oldestDueOn = listing.oldestDueOn
    latestDueOn = listing.latestDueOn
    noticeServedOn = listing.noticeServedOn
    listedOn = listing.listedOn
    lastPaymentOn = listing.lastPaymentOn
    settledOn = listing.settlement?.settledOn
    listedSequence = listing.listedSequence
    settledSequence = listing.settledSequence
    planBreaches = listing.planBreaches
    disputes = listing.disputes.map(PublicDispute.init)
    if let plan = listing.plan {
      let paid = plan.instalmentsPaid(totalPaidMinor: listing.paidMinor)
      planInstalments = plan.instalments.count
      planInstalmentsPaid = paid
      planNextDueOn = paid < plan.instalments.count ? plan.instalments[paid].dueOn : nil
    }
    settledInFull = listing.settlement.map {
      $0.inFull && listing.paidMinor.saturatingAdding($0.amountMinor) >= listing.originalMinor
    }
  }

  /// Whether a dispute is open on the listing.
  public var underDispute: Bool { state == .disputed }

  /// Whether the listing counts against the party now.
  public var impactActive: Bool { state == .listed }
  /// Whether the debt is still open (active, on a plan or under dispute).
  public var isOpen: Bool { state == .listed || state == .onPlan || state == .disputed }
  /// Days from the oldest due date to settlement.
  public var daysToSettle: Int? { settledOn.map { oldestDueOn.days(until: $0) } }
}

/// A dispute as checks may show it: dates and outcome, never the statement.
public struct PublicDispute: Codable, Sendable, Equatable {
  public var raisedOn: CalendarDate
  public var decidedOn: CalendarDate?
  public var outcome: DisputeOutcome?

  public init(_ dispute: Dispute) {
    raisedOn = dispute.raisedOn
    decidedOn = dispute.decidedOn
    outcome = dispute.outcome
  }
}
