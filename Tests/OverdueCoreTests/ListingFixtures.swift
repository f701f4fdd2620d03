import OverdueCore

/// Dates, parties and members shared by the core tests.
enum Fixtures {
  static let today = CalendarDate("2026-11-23")!
  static let party = PartyIdentifier(unchecked: .gstin, "27AAPFU0939F1ZV")
  static let seller = Member(
    id: "M-A", displayName: "Sharma Steel",
    identifier: PartyIdentifier(unchecked: .gstin, "24AAACC1206D1ZM"), sector: "Steel")
  static let evidence = EvidenceReference(
    sha256Hex: "ab", description: "invoice.pdf", contentType: "application/pdf", sizeBytes: 10)

  static func invoice(
    _ number: String = "INV-1", due: String = "2026-07-01", amount: Int64 = 250_000_00
  ) -> Invoice {
    let dueOn = CalendarDate(due)!
    return Invoice(
      number: number, issuedOn: dueOn.adding(days: -30), dueOn: dueOn, amountMinor: amount)
  }

  static func filing(
    party: PartyIdentifier = party, invoices: [Invoice] = [invoice()],
    notice: String = "2026-11-01",
    currency: String = "INR", evidence: [EvidenceReference] = [evidence]
  ) -> Filing {
    Filing(
      listingId: "L-1", party: party, legalName: "Acme Fabrication LLP", currency: currency,
      invoices: invoices,
      noticeServedOn: CalendarDate(notice)!, evidence: evidence)
  }

  static func context(
    _ actor: Actor = .member("M-A"), member: Member? = seller, today: CalendarDate = today,
    claimed: Set<InvoiceKey> = []
  ) -> DecisionContext {
    DecisionContext(
      actor: actor, today: today, policy: .defaults, member: member, claimedInvoices: claimed)
  }

  /// Runs commands from `start` (nothing by default), folding each command's events; the last
  /// listing. Events are numbered from `after + 1`.
  static func run(
    _ steps: [(ListingCommand, DecisionContext)], from start: Listing? = nil, after: UInt64 = 0
  ) throws -> Listing? {
    var listing = start
    var sequence = after
    for (command, context) in steps {
      for event in try ListingDecider.decide(command, on: listing, context: context) {
        sequence += 1
        listing = Listing.apply(event, to: listing, sequence: sequence)
      }
    }
    return listing
  }

  /// The stable reason a refusal gives, or nil when `body` succeeds.
  static func reason(_ body: () throws -> Any?) -> String? {
    do {
      _ = try body()
      return nil
    } catch let error as RegistryError {
      return error.reason
    } catch {
      return "\(error)"
    }
  }

  /// The refusal `body` throws, or nil when it succeeds.
  static func refusal(_ body: () throws -> Any?) -> RegistryError? {
    do {
      _ = try body()
      return nil
    } catch {
      return error as? RegistryError
    }
  }

  static let operatorContext = context(.operator("ops"), member: nil)
}
