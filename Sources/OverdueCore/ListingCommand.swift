import Foundation

/// What a member files: the claim against one party.
public struct Filing: Sendable, Equatable {
  public var listingId: String
  public var party: PartyIdentifier
  public var legalName: String
  public var currency: String
  public var invoices: [Invoice]
  public var noticeServedOn: CalendarDate
  public var evidence: [EvidenceReference]

  public init(
    listingId: String, party: PartyIdentifier, legalName: String, currency: String,
    invoices: [Invoice],
    noticeServedOn: CalendarDate, evidence: [EvidenceReference]
  ) {
    self.listingId = listingId
    self.party = party
    self.legalName = legalName
    self.currency = currency
    self.invoices = invoices
    self.noticeServedOn = noticeServedOn
    self.evidence = evidence
  }
}

/// A change to a pending listing; nil fields stay as they are.
public struct Amendment: Sendable, Equatable {
  public var legalName: String?
  public var invoices: [Invoice]?
  public var noticeServedOn: CalendarDate?
  public var addedEvidence: [EvidenceReference]

  public init(
    legalName: String? = nil, invoices: [Invoice]? = nil, noticeServedOn: CalendarDate? = nil,
    addedEvidence: [EvidenceReference] = []
  ) {
    self.legalName = legalName
    self.invoices = invoices
    self.noticeServedOn = noticeServedOn
    self.addedEvidence = addedEvidence
  }
}

/// What someone asks to do to a listing.
public enum ListingCommand: Sendable, Equatable {
  case file(Filing)
  case amend(Amendment)
  case verify
  case reject(reason: String)
  case recordPayment(Payment)
  case confirmSettlement(on: CalendarDate, amountMinor: Int64, note: String)
  case settleOnPartyProof(on: CalendarDate, amountMinor: Int64, note: String)
  case withdraw(reason: WithdrawalReason, note: String)
  /// Agree a payment plan on a LISTED listing, or replace the plan of an ON_PLAN one.
  case agreePlan([Instalment])
  case recordDispute(statement: String, raisedOn: CalendarDate)
  case decideDispute(outcome: DisputeOutcome, reason: String)
  /// The scheduler's look at a listing: breach overdue plans, end retention, retire old listings.
  case applyDeadlines

  /// What the command does, as in "cannot \(verb) listing L-1".
  public var verb: String {
    switch self {
    case .file: return "file"
    case .amend: return "amend"
    case .verify: return "verify"
    case .reject: return "reject"
    case .recordPayment: return "record a payment on"
    case .confirmSettlement: return "settle"
    case .settleOnPartyProof: return "settle"
    case .withdraw: return "withdraw"
    case .agreePlan: return "agree a payment plan on"
    case .recordDispute: return "record a dispute on"
    case .decideDispute: return "decide a dispute on"
    case .applyDeadlines: return "apply deadlines to"
    }
  }
}

/// One invoice as "one debt, one listing" compares them: canonical number and issue date.
public struct InvoiceKey: Hashable, Sendable {
  /// The number in canonical form (see `normalise`).
  public var number: String
  public var issuedOn: CalendarDate

  public init(number: String, issuedOn: CalendarDate) {
    self.number = InvoiceKey.normalise(number)
    self.issuedOn = issuedOn
  }

  public init(_ invoice: Invoice) { self.init(number: invoice.number, issuedOn: invoice.issuedOn) }

  /// The canonical invoice number, so that numbers people would read as the same compare equal:
  /// compatibility-normalised (NFKC, so fullwidth `ＩＮＶ１` is `INV1`), case-folded, with every
  /// whitespace, format (zero-width space, soft hyphen, BOM) and control character removed (so
  /// `INV 1` is `INV1`) and every dash (a hyphen, en dash, minus sign...) written `-`.
  /// Idempotent, and the same for a number and its upper-cased form, so the upper-cased numbers
  /// stored before this form still match.
  static func normalise(_ number: String) -> String {
    // Most numbers are printable ASCII without spaces, where case folding is all there is to do
    // (and is `lowercased()`).
    if number.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) { return number.lowercased() }
    let folded = number.precomposedStringWithCompatibilityMapping
      .folding(options: [.caseInsensitive], locale: nil)
      .precomposedStringWithCompatibilityMapping
    var scalars = String.UnicodeScalarView()
    for scalar in folded.unicodeScalars {
      let properties = scalar.properties
      switch properties.generalCategory {
      case .format, .control, .spaceSeparator, .lineSeparator, .paragraphSeparator:
        continue
      case .dashPunctuation:
        scalars.append("-")
      default:
        if properties.isWhitespace { continue }
        // The minus sign is a math symbol, not dash punctuation (U+2010...2015, U+FE58,
        // U+FE63 and U+FF0D are), and NFKC maps superscript and subscript minus to it.
        scalars.append(scalar == "\u{2212}" ? "-" : scalar)
      }
    }
    return String(scalars)
  }
}

/// Everything besides the listing that a decision depends on, gathered by the caller.
public struct DecisionContext: Sendable {
  public var actor: Actor
  public var today: CalendarDate
  public var policy: FilingPolicy
  /// The acting member, when the actor is a member.
  public var member: Member?
  /// Invoices already claimed against the same debtor by any other listing, in any state.
  public var claimedInvoices: Set<InvoiceKey>

  public init(
    actor: Actor, today: CalendarDate, policy: FilingPolicy, member: Member? = nil,
    claimedInvoices: Set<InvoiceKey> = []
  ) {
    self.actor = actor
    self.today = today
    self.policy = policy
    self.member = member
    self.claimedInvoices = claimedInvoices
  }
}
