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

  /// A short stable name for the log's `type` column.
  public var name: String {
    switch self {
    case .filed: return "ListingFiled"
    case .amended: return "ListingAmended"
    case .verified: return "ListingVerified"
    case .rejected: return "ListingRejected"
    case .paymentRecorded: return "PaymentRecorded"
    case .settled: return "ListingSettled"
    case .withdrawn: return "ListingWithdrawn"
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
    case .rejected(let reason, _):
      listing.state = .rejected
      listing.rejectionReason = reason
    case .paymentRecorded(let payment):
      listing.payments.append(payment)
    case .settled(let settlement):
      listing.state = .settled
      listing.settlement = settlement
    case .withdrawn(let reason, _, _):
      listing.state = .withdrawn
      listing.withdrawalReason = reason
    }
    listing.sequence = sequence
    return listing
  }
}
