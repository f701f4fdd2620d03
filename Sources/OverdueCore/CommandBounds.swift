extension ListingDecider {
  /// Refuses a command whose free text or collections are outside `InputBounds`, before anything
  /// else looks at it, so every front (gRPC, web, import) gets the same limits. Field names are
  /// the request's, as the gRPC API spells them.
  static func checkBounds(of command: ListingCommand, on listing: Listing?, policy: FilingPolicy)
    throws(RegistryError)
  {
    typealias B = InputBounds
    switch command {
    case .file(let filing):
      try B.check(filing.legalName, field: "legal_name", max: B.legalName, kind: .line)
      try checkBounds(of: filing.invoices, policy: policy)
      try checkBounds(of: filing.evidence, field: "evidence", alreadyHeld: 0)
    case .amend(let amendment):
      if let legalName = amendment.legalName {
        try B.check(legalName, field: "legal_name", max: B.legalName, kind: .line)
      }
      if let invoices = amendment.invoices { try checkBounds(of: invoices, policy: policy) }
      try checkBounds(
        of: amendment.addedEvidence, field: "add_evidence",
        alreadyHeld: listing?.evidence.count ?? 0)
    case .reject(let reason), .decideDispute(_, let reason):
      try B.check(reason, field: "reason", max: B.reason, kind: .text)
    case .recordPayment(let payment):
      try B.check(
        payment.reference, field: "reference", max: B.paymentReference, kind: .line)
    case .confirmSettlement(_, _, let note), .settleOnPartyProof(_, _, let note),
      .withdraw(_, let note):
      try B.check(note, field: "note", max: B.note, kind: .text)
    case .agreePlan(let instalments):
      try B.checkCount(
        instalments.count, field: "instalments", max: B.instalments,
        reason: "TOO_MANY_INSTALMENTS")
    case .recordDispute(let statement, _):
      try B.check(statement, field: "statement", max: B.statement, kind: .text)
    case .verify, .applyDeadlines:
      break
    }
  }

  static func checkBounds(of invoices: [Invoice], policy: FilingPolicy) throws(RegistryError) {
    try InputBounds.checkCount(
      invoices.count, field: "invoices", max: policy.maxInvoices, reason: "TOO_MANY_INVOICES")
    for (index, invoice) in invoices.enumerated() {
      try InputBounds.check(
        invoice.number, field: "invoices[\(index)].number", max: InputBounds.invoiceNumber,
        kind: .line)
    }
  }

  /// Documents added to a listing that already holds `alreadyHeld`; the limit is on the total.
  static func checkBounds(of evidence: [EvidenceReference], field: String, alreadyHeld: Int)
    throws(RegistryError)
  {
    let maximum = InputBounds.evidenceDocuments
    guard alreadyHeld + evidence.count <= maximum else {
      let given = alreadyHeld == 0 ? "" : " besides the \(alreadyHeld) it has"
      throw .invalid(
        field, "TOO_MANY_EVIDENCE_DOCUMENTS",
        "a listing holds at most \(maximum) evidence documents; \(evidence.count) given\(given)")
    }
    for (index, document) in evidence.enumerated() {
      try InputBounds.check(
        document.description, field: "\(field)[\(index)].description",
        max: InputBounds.evidenceDescription, kind: .text)
    }
  }
}
