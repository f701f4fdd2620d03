/// How a listing's public picture changed, as a watcher of its party sees it (SPEC section 6).
public enum ChangeKind: String, Codable, Sendable, CaseIterable {
  /// Verified: public, impact active.
  case listed = "LISTED"
  /// A dispute was recorded: impact suspended.
  case disputed = "DISPUTED"
  /// A dispute was decided for the member: the listing stands as it was before.
  case disputeDecided = "DISPUTE_DECIDED"
  /// A payment plan was agreed, or the plan of a listing on a plan was amended.
  case onPlan = "ON_PLAN"
  /// An instalment went unpaid past its grace days: the listing is active again.
  case planBreached = "PLAN_BREACHED"
  /// A payment that leaves something outstanding.
  case paymentRecorded = "PAYMENT_RECORDED"
  /// Settled by confirmation, on the party's proof, or by payments covering the outstanding amount.
  case settled = "SETTLED"
  /// Left the public view: withdrawn, voided or expired, the reason never given.
  case removed = "REMOVED"

  /// The change a watcher sees when `event` turns a listing's public face `before` into `after`
  /// (nil: not public), or nil when the public picture did not change.
  ///
  /// What is not public never shows: events on a PENDING listing (filing, amendment, rejection,
  /// withdrawal, a dispute and its decision) give nil. Which way a listing left the public view
  /// is not told apart: it is REMOVED. A payment that covers the outstanding amount gives nil,
  /// because the decider logs the settlement it causes right after it, in the same transaction,
  /// and that settlement is the change (SETTLED, not PAYMENT_RECORDED). An amended plan on a
  /// listing already on a plan is ON_PLAN again: the public progress ("N of M paid") is new.
  public init?(from before: PublicListing?, to after: PublicListing?, by event: ListingEvent) {
    switch (before, after) {
    case (nil, nil):
      return nil
    case (nil, .some):
      self = .listed
    case (.some, nil):
      self = .removed
    case (let before?, let after?):
      guard before != after else { return nil }
      switch event {
      case .disputeRecorded:
        self = .disputed
      case .disputeDecided:
        self = .disputeDecided
      case .planAgreed:
        self = .onPlan
      case .planBreached:
        self = .planBreached
      case .paymentRecorded:
        guard after.outstandingMinor > 0 else { return nil }
        self = .paymentRecorded
      case .settled:
        self = .settled
      case .filed, .amended, .verified, .rejected, .withdrawn, .removedFromPublicView:
        // None of these leaves a public listing public: the decider refuses them there, or the
        // listing leaves the view (REMOVED above).
        return nil
      }
    }
  }
}

/// One change of a listing's public picture: what the watchers of its party are sent.
public struct PublicChange: Sendable, Equatable {
  /// The log sequence of the event that made the change.
  public var sequence: UInt64
  public var kind: ChangeKind
  public var listingId: String
  /// The identifier the listing was filed under, and its linked PAN: what a watch matches on.
  public var filedUnder: PartyIdentifier
  public var pan: String?
  /// The listing's public face after the change; nil once it is REMOVED.
  public var listing: PublicListing?

  /// The change `event`, logged at `sequence`, made by turning `before` into `after` (the
  /// listing on either side, nil when it does not exist); nil when the public picture stayed the
  /// same. Nothing private is kept: only public faces, and no reason for a removal.
  public init?(_ event: ListingEvent, sequence: UInt64, before: Listing?, after: Listing?) {
    let beforeFace = before.flatMap(PublicListing.init)
    let afterFace = after.flatMap(PublicListing.init)
    guard let kind = ChangeKind(from: beforeFace, to: afterFace, by: event),
      let face = afterFace ?? beforeFace
    else { return nil }
    self.sequence = sequence
    self.kind = kind
    listingId = face.listingId
    filedUnder = face.filedUnder
    pan = face.pan
    listing = afterFace
  }
}

extension PartyAssessment {
  /// A party's status after `change`, from its public listings before it (`listings`: the
  /// grouping a check of the party uses): the changed listing's new face replaces its old one, or
  /// it is dropped once REMOVED.
  public static func status(of listings: [PublicListing], after change: PublicChange)
    -> ImpactStatus
  {
    var current = listings.filter { $0.listingId != change.listingId }
    if let listing = change.listing { current.append(listing) }
    return status(of: current)
  }
}
