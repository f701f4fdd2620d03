import Foundation
import OverdueAPI
import OverdueCore
import OverdueRegistry
import OverdueStore
import SwiftProtobuf

extension Overdue_V1_ListingState {
  init(_ state: ListingState) {
    switch state {
    case .pending: self = .pending
    case .listed: self = .listed
    case .disputed: self = .disputed
    case .onPlan: self = .onPlan
    case .settled: self = .settled
    case .withdrawn: self = .withdrawn
    case .rejected: self = .rejected
    case .voided: self = .voided
    }
  }
}

extension Overdue_V1_ImpactStatus {
  init(_ status: ImpactStatus) {
    switch status {
    case .clear: self = .clear
    case .active: self = .active
    case .onPlan: self = .onPlan
    case .disputed: self = .disputed
    case .resolved: self = .resolved
    }
  }
}

extension Overdue_V1_PartyIdentifier {
  init(_ identifier: PartyIdentifier) {
    self.init()
    scheme = identifier.scheme.rawValue
    value = identifier.value
  }
}

extension Overdue_V1_ListingReceipt {
  init(_ receipt: ListingReceipt) {
    self.init()
    listingID = receipt.listingId
    state = .init(receipt.state)
    sequence = receipt.sequence
  }
}

extension Overdue_V1_Member {
  init(_ member: Member) {
    self.init()
    memberID = member.id
    displayName = member.displayName
    identifier = .init(member.identifier)
    sector = member.sector
    status = member.status == .active ? .active : .suspended
    sequence = member.sequence
  }
}

extension Overdue_V1_Listing {
  /// Every detail of a listing, for its own member or an operator.
  init(_ listing: Listing) {
    self.init()
    listingID = listing.id
    memberID = listing.memberId
    party = .init(listing.party)
    legalName = listing.legalName
    currency = listing.currency
    invoices = listing.invoices.map { invoice in
      var proto = Overdue_V1_Invoice()
      proto.number = invoice.number
      proto.issuedOn = invoice.issuedOn.description
      proto.dueOn = invoice.dueOn.description
      proto.amountMinor = invoice.amountMinor
      return proto
    }
    noticeServedOn = listing.noticeServedOn.description
    evidence = listing.evidence.map { reference in
      var proto = Overdue_V1_EvidenceSummary()
      proto.description_p = reference.description
      proto.contentType = reference.contentType
      proto.sha256Hex = reference.sha256Hex
      proto.sizeBytes = Int64(reference.sizeBytes)
      return proto
    }
    state = .init(listing.state)
    originalMinor = listing.originalMinor
    outstandingMinor = listing.outstandingMinor
    payments = listing.payments.map { payment in
      var proto = Overdue_V1_Payment()
      proto.amountMinor = payment.amountMinor
      proto.paidOn = payment.paidOn.description
      proto.reference = payment.reference
      return proto
    }
    filedOn = listing.filedOn.description
    listedOn = listing.listedOn?.description ?? ""
    settledOn = listing.settlement?.settledOn.description ?? ""
    settledMinor = listing.settlement?.amountMinor ?? 0
    rejectionReason = listing.rejectionReason ?? ""
    withdrawalReason =
      switch listing.withdrawalReason {
      case .paidBeforeListing: .paidBeforeListing
      case .filedInError: .filedInError
      case .privateAgreement: .privateAgreement
      case nil: .unspecified
      }
    sequence = listing.sequence
    if let plan = listing.plan {
      self.plan = plan.instalments.map { .init($0) }
      planInstalmentsPaid = Int32(plan.instalmentsPaid(totalPaidMinor: listing.paidMinor))
    }
    planBreachedOn = listing.planBreaches.map(\.description)
    disputes = listing.disputes.map { .init(PublicDispute($0)) }
    removedFromPublicViewOn = listing.removedFromPublicView?.description ?? ""
  }
}

extension Overdue_V1_Instalment {
  init(_ instalment: Instalment) {
    self.init()
    dueOn = instalment.dueOn.description
    amountMinor = instalment.amountMinor
  }
}

extension Overdue_V1_DisputeSummary {
  init(_ dispute: PublicDispute) {
    self.init()
    raisedOn = dispute.raisedOn.description
    decidedOn = dispute.decidedOn?.description ?? ""
    outcome =
      switch dispute.outcome {
      case .forMember: .forMember
      case .forParty: .forParty
      case nil: .unspecified
      }
  }
}

extension Overdue_V1_PartyReport {
  /// A check's answer. Member names only when `showMemberNames` (a registered caller); never
  /// invoice numbers, payment references, notes or evidence.
  init(
    record: PartyRecord, assessment: PartyAssessment, showMemberNames: Bool,
    asOf: Google_Protobuf_Timestamp
  ) {
    self.init(clear: record.identifier, asOfSequence: record.asOfSequence, asOf: asOf)
    guard !record.listings.isEmpty else { return }
    related = record.related.filter { !Self.isPersonalPAN($0) }.map { .init($0) }
    legalName = record.legalName
    status = .init(assessment.status)
    repeatDefaulter = assessment.repeatDefaulter
    summary = .init(assessment.summary)
    listings = record.listings.prefix(50).map { listing in
      var proto = Overdue_V1_PublicListing()
      proto.listingID = listing.listingId
      proto.filedUnder = .init(listing.filedUnder)
      proto.state = .init(listing.state)
      proto.currency = listing.currency
      proto.originalMinor = listing.originalMinor
      proto.outstandingMinor = listing.outstandingMinor
      proto.oldestDueOn = listing.oldestDueOn.description
      proto.latestDueOn = listing.latestDueOn.description
      proto.noticeServedOn = listing.noticeServedOn.description
      proto.listedOn = listing.listedOn?.description ?? ""
      proto.settledOn = listing.settledOn?.description ?? ""
      proto.daysToSettle = Int32(listing.daysToSettle ?? 0)
      proto.settledInFull = listing.settledInFull ?? false
      proto.invoiceCount = Int32(listing.invoiceCount)
      proto.impactActive = listing.impactActive
      proto.planInstalments = Int32(listing.planInstalments ?? 0)
      proto.planInstalmentsPaid = Int32(listing.planInstalmentsPaid ?? 0)
      proto.planNextDueOn = listing.planNextDueOn?.description ?? ""
      proto.planBreachedOn = listing.planBreaches.map(\.description)
      proto.underDispute = listing.underDispute
      proto.disputes = listing.disputes.map { .init($0) }
      let member = record.members[listing.memberId]
      proto.memberName = showMemberNames ? (member?.displayName ?? "") : "a verified member"
      proto.memberSector = member?.sector ?? ""
      return proto
    }
    riskBand = assessment.riskBand ?? ""
    riskReasons = assessment.riskReasons.map { reason in
      var proto = Overdue_V1_RiskReason()
      proto.code = reason.code
      proto.message = reason.message
      return proto
    }
    riskModelVersion = assessment.riskBand == nil ? "" : PartyAssessment.riskModelVersion
  }

  /// The answer for a party with nothing public: who it is, CLEAR, and as of when. Every report
  /// starts from this.
  init(clear identifier: PartyIdentifier, asOfSequence: UInt64, asOf: Google_Protobuf_Timestamp) {
    let heading = PartyHeading(identifier)
    self.init()
    party = .init(identifier)
    status = .clear
    gstinState = heading.gstinState
    pan = heading.pan
    self.asOfSequence = asOfSequence
    self.asOf = asOf
  }

  /// Individuals' and HUFs' PANs are never shown.
  static func isPersonalPAN(_ identifier: PartyIdentifier) -> Bool {
    identifier.scheme == .pan && PAN.isPersonal(identifier.value)
  }
}

/// What every report says of who its party is: the identifier and, for a GSTIN, the state its
/// code names and, for a business, the PAN it embeds (an individual's PAN is never shown).
struct PartyHeading {
  let identifier: PartyIdentifier
  let gstinState: String
  let pan: String

  init(_ identifier: PartyIdentifier) {
    self.identifier = identifier
    guard identifier.scheme == .gstin else {
      (gstinState, pan) = ("", "")
      return
    }
    gstinState = GSTIN.stateName(identifier.value) ?? ""
    if let embedded = identifier.linkedPAN, !PAN.isPersonal(embedded) {
      pan = embedded
    } else {
      pan = ""
    }
  }
}

extension Overdue_V1_PartySummary {
  init(_ summary: PartySummary) {
    self.init()
    publicListings = Int32(summary.publicListings)
    openListings = Int32(summary.openListings)
    distinctMembers = Int32(summary.distinctMembers)
    original = Self.amounts(summary.originalByCurrency)
    outstanding = Self.amounts(summary.outstandingByCurrency)
    oldestDueOn = summary.oldestDueOn?.description ?? ""
    maxDaysPastDue = Int32(summary.maxDaysPastDue)
    lastPaymentOn = summary.lastPaymentOn?.description ?? ""
    settledInFull = Int32(summary.settledInFull)
    settledForLess = Int32(summary.settledForLess)
    averageDaysToSettle = Int32(summary.averageDaysToSettle ?? 0)
    plansBreached = Int32(summary.plansBreached)
  }

  static func amounts(_ byCurrency: [String: Int64]) -> [Overdue_V1_Amount] {
    byCurrency.sorted { $0.key < $1.key }.map { currency, amount in
      var proto = Overdue_V1_Amount()
      proto.currency = currency
      proto.amountMinor = amount
      return proto
    }
  }
}
