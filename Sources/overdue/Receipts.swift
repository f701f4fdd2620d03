import OverdueAPI
import OverdueClient
import OverdueCore

/// One line saying what a write did.
enum Receipts {
  static func describe(_ receipt: Overdue_V1_ListingReceipt) -> String {
    "\(receipt.listingID)  \(StateNames.name(receipt.state))  (sequence \(receipt.sequence))"
  }

  static func describe(_ listing: Overdue_V1_Listing) -> String {
    var lines = [
      "\(listing.listingID)  \(StateNames.name(listing.state))  \(listing.party.scheme) \(listing.party.value)  \(listing.legalName)",
      "  \(MoneyText.format(listing.outstandingMinor, listing.currency)) outstanding of \(MoneyText.format(listing.originalMinor, listing.currency)) · \(listing.invoices.count) invoice(s) · notice \(listing.noticeServedOn) · filed \(listing.filedOn)",
    ]
    if !listing.listedOn.isEmpty { lines.append("  listed \(listing.listedOn)") }
    if !listing.settledOn.isEmpty { lines.append("  settled \(listing.settledOn)") }
    if !listing.rejectionReason.isEmpty { lines.append("  rejected: \(listing.rejectionReason)") }
    for document in listing.evidence {
      lines.append(
        "  evidence \(document.sha256Hex.prefix(12))…  \(document.contentType)  \(document.description_p)"
      )
    }
    if !listing.plan.isEmpty {
      lines.append(
        "  plan: \(listing.planInstalmentsPaid) of \(listing.plan.count) instalments paid")
      for instalment in listing.plan {
        lines.append(
          "    due \(instalment.dueOn)  \(MoneyText.format(instalment.amountMinor, listing.currency))"
        )
      }
    }
    for breached in listing.planBreachedOn { lines.append("  plan breached \(breached)") }
    for dispute in listing.disputes {
      lines.append(
        "  dispute raised \(dispute.raisedOn)"
          + (dispute.decidedOn.isEmpty ? " (open)" : ", decided \(dispute.decidedOn)"))
    }
    if !listing.removedFromPublicViewOn.isEmpty {
      lines.append("  out of the public view since \(listing.removedFromPublicViewOn)")
    }
    for payment in listing.payments {
      lines.append(
        "  payment \(MoneyText.format(payment.amountMinor, listing.currency)) on \(payment.paidOn)")
    }
    return lines.joined(separator: "\n")
  }
}
