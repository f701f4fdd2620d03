import Foundation

/// The filing rules of SPEC section 3, checked at filing, amendment and verification.
enum FilingRules {
  static func checkParty(_ party: PartyIdentifier, member: Member) throws(RegistryError) {
    if party.scheme == .pan, PAN.isPersonal(party.value) {
      throw .invalid(
        "party.value", "BUSINESSES_ONLY",
        "individuals and HUFs can be listed only through their GSTIN, not their PAN")
    }
    if member.isSelf(party) {
      throw .invalid("party", "SELF_LISTING", "a member cannot list itself")
    }
  }

  static func check(
    legalName: String, currency: String, invoices: [Invoice], noticeServedOn: CalendarDate,
    claimed: Set<InvoiceKey>, today: CalendarDate, policy: FilingPolicy
  ) throws(RegistryError) {
    guard !legalName.trimmingCharacters(in: .whitespaces).isEmpty else {
      throw .invalid("legal_name", "MISSING_LEGAL_NAME", "the party's legal name is required")
    }
    guard let minimum = policy.minimumMinorByCurrency[currency] else {
      throw .invalid("currency", "UNSUPPORTED_CURRENCY", "currency '\(currency)' cannot be listed")
    }
    guard !invoices.isEmpty else {
      throw .invalid("invoices", "NO_INVOICES", "at least one invoice is required")
    }
    guard invoices.count <= policy.maxInvoices else {
      throw .invalid(
        "invoices", "TOO_MANY_INVOICES", "at most \(policy.maxInvoices) invoices in one listing")
    }
    let maximum = policy.maximumMinor(for: currency)
    var seen = Set<InvoiceKey>()
    for (index, invoice) in invoices.enumerated() {
      try checkInvoice(
        invoice, field: "invoices[\(index)]", maximum: maximum, today: today, policy: policy)
      let key = InvoiceKey(invoice)
      guard seen.insert(key).inserted else {
        throw .invalid(
          "invoices[\(index)].number", "DUPLICATE_INVOICE",
          "invoice \(invoice.number) appears twice")
      }
      guard !claimed.contains(key) else {
        throw RegistryError(
          .alreadyExists, reason: "DUPLICATE_INVOICE",
          message:
            "invoice \(invoice.number) of \(invoice.issuedOn) is already claimed against this party",
          field: "invoices[\(index)].number")
      }
    }
    let (total, overflow) = invoices.reduce((Int64(0), false)) { acc, invoice in
      let (sum, o) = acc.0.addingReportingOverflow(invoice.amountMinor)
      return (sum, acc.1 || o)
    }
    guard !overflow, total <= maximum else {
      throw .invalid(
        "invoices", "AMOUNT_TOO_LARGE",
        "the invoice total is above the \(currency) maximum of \(maximum) (minor units)")
    }
    guard total >= minimum else {
      throw .invalid(
        "invoices", "BELOW_MINIMUM_AMOUNT",
        "the total \(total) is below the \(currency) minimum of \(minimum) (minor units)")
    }
    let latestDue = invoices.map(\.dueOn).max()!
    guard noticeServedOn >= latestDue else {
      throw .invalid(
        "notice_served_on", "NOTICE_BEFORE_DUE_DATE",
        "notice must be served on or after the latest due date \(latestDue), got \(noticeServedOn)")
    }
    guard noticeServedOn <= today else {
      throw .invalid(
        "notice_served_on", "DATE_IN_FUTURE", "notice_served_on \(noticeServedOn) is in the future")
    }
  }

  static func checkInvoice(
    _ invoice: Invoice, field: String, maximum: Int64, today: CalendarDate, policy: FilingPolicy
  ) throws(RegistryError) {
    guard !invoice.number.trimmingCharacters(in: .whitespaces).isEmpty else {
      throw .invalid("\(field).number", "MISSING_INVOICE_NUMBER", "every invoice needs a number")
    }
    guard invoice.amountMinor > 0 else {
      throw .invalid(
        "\(field).amount_minor", "NON_POSITIVE_AMOUNT", "an invoice amount must be more than zero")
    }
    try checkMaximum(invoice.amountMinor, maximum, field: "\(field).amount_minor")
    guard invoice.issuedOn <= invoice.dueOn else {
      throw .invalid(
        "\(field).due_on", "DUE_BEFORE_ISSUE",
        "due date \(invoice.dueOn) is before issue date \(invoice.issuedOn)")
    }
    guard invoice.dueOn <= today else {
      throw .invalid(
        "\(field).due_on", "DATE_IN_FUTURE", "due date \(invoice.dueOn) is in the future")
    }
    let overdueDays = invoice.dueOn.days(until: today)
    guard overdueDays >= policy.minOverdueDays else {
      throw .invalid(
        "\(field).due_on", "NOT_OVERDUE_LONG_ENOUGH",
        "invoice \(invoice.number) is \(overdueDays) days past due; at least \(policy.minOverdueDays) are required"
      )
    }
    guard invoice.dueOn >= today.adding(years: -policy.maxClaimAgeYears) else {
      throw .invalid(
        "\(field).due_on", "TIME_BARRED",
        "invoice \(invoice.number) fell due more than \(policy.maxClaimAgeYears) years ago")
    }
  }

  /// Refuses an amount above the currency's maximum, naming `field`.
  static func checkMaximum(_ amount: Int64, _ maximum: Int64, field: String)
    throws(RegistryError)
  {
    guard amount <= maximum else {
      throw .invalid(
        field, "AMOUNT_TOO_LARGE", "\(field) is above the maximum of \(maximum) (minor units)")
    }
  }
}
