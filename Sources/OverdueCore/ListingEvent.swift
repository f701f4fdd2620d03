/// Something that happened to a listing; the event log stores these, and `apply` folds them.
public enum ListingEvent: Codable, Sendable, Equatable {
  case filed(Listing)
  case amended(
    legalName: String, invoices: [Invoice], noticeServedOn: CalendarDate,
    addedEvidence: [EvidenceReference])
  case verified(on: CalendarDate, by: String)
  case rejected(reason: String, by: String)
  case paymentRecorded(Payment)
  case settled(Settlement)
  case withdrawn(reason: WithdrawalReason, note: String, on: CalendarDate)
  case planAgreed(PaymentPlan)
  case planBreached(on: CalendarDate, instalment: Int)
  case disputeRecorded(Dispute, by: String)
  case disputeDecided(outcome: DisputeOutcome, reason: String, on: CalendarDate, by: String)
  case removedFromPublicView(on: CalendarDate, reason: PublicViewRemoval)

  /// A short stable name for the log's `type` column.
  /// The name of a filing, the event that tells which party a listing is against.
  public static let filedName = "ListingFiled"

  public var name: String {
    switch self {
    case .filed: return Self.filedName
    case .amended: return "ListingAmended"
    case .verified: return "ListingVerified"
    case .rejected: return "ListingRejected"
    case .paymentRecorded: return "PaymentRecorded"
    case .settled: return "ListingSettled"
    case .withdrawn: return "ListingWithdrawn"
    case .planAgreed: return "PaymentPlanAgreed"
    case .planBreached: return "PaymentPlanBreached"
    case .disputeRecorded: return "DisputeRecorded"
    case .disputeDecided: return "DisputeDecided"
    case .removedFromPublicView: return "RemovedFromPublicView"
    }
  }
}

extension Listing {
  /// The listing after `event`. `nil` before the first event; `filed` starts a listing.
  public static func apply(_ event: ListingEvent, to listing: Listing?, sequence: UInt64)
    -> Listing?
  {
    if case .filed(var new) = event {
      new.sequence = sequence
      return new
    }
    guard var listing else { return nil }
    switch event {
    case .filed:
      break
    case .amended(let legalName, let invoices, let notice, let added):
      listing.legalName = legalName
      listing.invoices = invoices
      listing.noticeServedOn = notice
      listing.evidence += added
    case .verified(let on, _):
      listing.state = .listed
      listing.listedOn = on
      listing.listedSequence = sequence
    case .rejected(let reason, _):
      listing.state = .rejected
      listing.rejectionReason = reason
    case .paymentRecorded(let payment):
      listing.payments.append(payment)
    case .settled(let settlement):
      listing.state = .settled
      listing.settlement = settlement
      listing.settledSequence = sequence
    case .withdrawn(let reason, _, _):
      listing.state = .withdrawn
      listing.withdrawalReason = reason
    case .planAgreed(let plan):
      listing.state = .onPlan
      listing.plan = plan
    case .planBreached(let on, _):
      listing.state = .listed
      listing.planBreaches.append(on)
    case .disputeRecorded(let dispute, _):
      listing.state = .disputed
      listing.disputes.append(dispute)
      if dispute.previousState == .onPlan { listing.plan?.pausedOn = dispute.raisedOn }
    case .disputeDecided(let outcome, _, let on, _):
      guard var dispute = listing.disputes.popLast() else { break }
      dispute.decidedOn = on
      dispute.outcome = outcome
      listing.disputes.append(dispute)
      switch outcome {
      case .forParty:
        listing.state = .voided
      case .forMember:
        listing.state = dispute.previousState
        if dispute.previousState == .onPlan { listing.plan?.resumedOn = on }
      }
    case .removedFromPublicView(let on, let reason):
      listing.removedFromPublicView = on
      listing.removalReason = reason
    }
    listing.sequence = sequence
    return listing
  }
}
