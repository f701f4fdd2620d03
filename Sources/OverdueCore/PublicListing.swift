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

  /// The public face of `listing`, or nil when its state is not public.
  public init?(_ listing: Listing) {
    guard listing.state.isPublic else { return nil }
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
    settledInFull = listing.settlement.map {
      $0.inFull && listing.paidMinor + $0.amountMinor >= listing.originalMinor
    }
  }

  /// Whether the listing counts against the party now.
  public var impactActive: Bool { state == .listed }
  /// Whether the debt is still open (active, on a plan or under dispute).
  public var isOpen: Bool { state == .listed || state == .onPlan || state == .disputed }
  /// Days from the oldest due date to settlement.
  public var daysToSettle: Int? { settledOn.map { oldestDueOn.days(until: $0) } }
}
