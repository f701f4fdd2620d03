/// Where a listing is in its life (SPEC section 3).
public enum ListingState: String, Codable, Sendable, CaseIterable {
  case pending = "PENDING"
  case listed = "LISTED"
  case disputed = "DISPUTED"
  case onPlan = "ON_PLAN"
  case settled = "SETTLED"
  case withdrawn = "WITHDRAWN"
  case rejected = "REJECTED"
  case voided = "VOIDED"

  /// Whether checks may show a listing in this state (a dispute keeps whatever its earlier state had).
  var isPublicOutsideDispute: Bool {
    switch self {
    case .listed, .onPlan, .settled: return true
    case .pending, .disputed, .withdrawn, .rejected, .voided: return false
    }
  }
}

/// Why a member withdrew a listing.
public enum WithdrawalReason: String, Codable, Sendable, CaseIterable {
  case paidBeforeListing = "PAID_BEFORE_LISTING"
  case filedInError = "FILED_IN_ERROR"
  case privateAgreement = "PRIVATE_AGREEMENT"
}

/// One unpaid invoice in a claim.
public struct Invoice: Codable, Sendable, Equatable {
  public var number: String
  public var issuedOn: CalendarDate
  public var dueOn: CalendarDate
  public var amountMinor: Int64

  public init(number: String, issuedOn: CalendarDate, dueOn: CalendarDate, amountMinor: Int64) {
    self.number = number
    self.issuedOn = issuedOn
    self.dueOn = dueOn
    self.amountMinor = amountMinor
  }
}

/// An evidence document as the listing refers to it; the bytes live in the write-side store.
public struct EvidenceReference: Codable, Sendable, Equatable {
  public var sha256Hex: String
  public var description: String
  public var contentType: String
  public var sizeBytes: Int

  public init(sha256Hex: String, description: String, contentType: String, sizeBytes: Int) {
    self.sha256Hex = sha256Hex
    self.description = description
    self.contentType = contentType
    self.sizeBytes = sizeBytes
  }
}

/// A payment the member received against the listing.
public struct Payment: Codable, Sendable, Equatable {
  public var amountMinor: Int64
  public var paidOn: CalendarDate
  public var reference: String

  public init(amountMinor: Int64, paidOn: CalendarDate, reference: String) {
    self.amountMinor = amountMinor
    self.paidOn = paidOn
    self.reference = reference
  }
}

/// How a listing was settled.
public struct Settlement: Codable, Sendable, Equatable {
  public var settledOn: CalendarDate
  /// What was received in settlement on top of earlier payments.
  public var amountMinor: Int64
  /// False when the member accepted an agreed lesser amount.
  public var inFull: Bool
  /// Who confirmed it: the member, or an operator on the party's proof.
  public var confirmedBy: String

  public init(settledOn: CalendarDate, amountMinor: Int64, inFull: Bool, confirmedBy: String) {
    self.settledOn = settledOn
    self.amountMinor = amountMinor
    self.inFull = inFull
    self.confirmedBy = confirmedBy
  }
}

/// One member's claim against one party, folded from its events.
public struct Listing: Codable, Sendable, Equatable {
  public var id: String
  public var memberId: String
  public var party: PartyIdentifier
  public var pan: String?
  public var legalName: String
  public var currency: String
  public var invoices: [Invoice]
  public var noticeServedOn: CalendarDate
  public var evidence: [EvidenceReference]
  public var state: ListingState
  public var payments: [Payment] = []
  public var filedOn: CalendarDate
  public var listedOn: CalendarDate?
  public var settlement: Settlement?
  public var rejectionReason: String?
  public var withdrawalReason: WithdrawalReason?
  /// The current or last payment plan.
  public var plan: PaymentPlan?
  /// When payment plans were breached, oldest first.
  public var planBreaches: [CalendarDate] = []
  /// Every dispute, oldest first; the last is open while the state is DISPUTED.
  public var disputes: [Dispute] = []
  /// When and why the listing left the public view on its own (retention, maximum age).
  public var removedFromPublicView: CalendarDate?
  public var removalReason: PublicViewRemoval?
  /// The event sequence number of the last change.
  public var sequence: UInt64 = 0
  /// The log sequence of the verification that listed it and of its settlement: the order of
  /// events on the same day. Nil before those events, and in listings stored before they were
  /// kept (rebuilding the read model from the log fills them in).
  public var listedSequence: UInt64?
  public var settledSequence: UInt64?

  /// A newly filed listing.
  public init(
    id: String, memberId: String, party: PartyIdentifier, pan: String?, legalName: String,
    currency: String,
    invoices: [Invoice], noticeServedOn: CalendarDate, evidence: [EvidenceReference],
    state: ListingState, filedOn: CalendarDate
  ) {
    self.id = id
    self.memberId = memberId
    self.party = party
    self.pan = pan
    self.legalName = legalName
    self.currency = currency
    self.invoices = invoices
    self.noticeServedOn = noticeServedOn
    self.evidence = evidence
    self.state = state
    self.filedOn = filedOn
  }

  /// The invoices' total (saturating: see SaturatingArithmetic.swift).
  public var originalMinor: Int64 { invoices.saturatingSum(\.amountMinor) }
  /// The payments' total (saturating).
  public var paidMinor: Int64 { payments.saturatingSum(\.amountMinor) }
  /// What the party still owes; zero once settled.
  public var outstandingMinor: Int64 {
    settlement == nil ? max(0, originalMinor.saturatingSubtracting(paidMinor)) : 0
  }
  /// Whether checks may show this listing now.
  public var isPublic: Bool {
    guard removedFromPublicView == nil else { return false }
    if state == .disputed { return disputes.last?.previousState.isPublicOutsideDispute ?? false }
    return state.isPublicOutsideDispute
  }

  /// The open dispute, while the listing is DISPUTED.
  public var openDispute: Dispute? { state == .disputed ? disputes.last : nil }

  public var oldestDueOn: CalendarDate { invoices.map(\.dueOn).min()! }
  public var latestDueOn: CalendarDate { invoices.map(\.dueOn).max()! }
  public var lastPaymentOn: CalendarDate? { payments.map(\.paidOn).max() }
  /// The party key used for "one debt, one listing": the PAN when linked, else the identifier.
  public var debtKey: String { Listing.debtKey(party: party, pan: pan) }

  public static func debtKey(party: PartyIdentifier, pan: String?) -> String {
    pan.map { "PAN:\($0)" } ?? "\(party.scheme.rawValue):\(party.value)"
  }
}
