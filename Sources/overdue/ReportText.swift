import Foundation
import OverdueAPI
import OverdueClient
import OverdueCore
import SwiftProtobuf

/// A party report as readable text.
enum ReportText {
  static func render(_ report: Overdue_V1_PartyReport) -> String {
    var lines: [String] = []
    var heading = "\(report.party.value)  (\(report.party.scheme)"
    if !report.gstinState.isEmpty { heading += ", \(report.gstinState)" }
    if !report.pan.isEmpty { heading += "; PAN \(report.pan)" }
    lines.append(heading + ")")
    if !report.legalName.isEmpty { lines.append(report.legalName) }
    var status = "Status: \(statusWords(report.status))"
    if report.repeatDefaulter { status += "  · REPEAT DEFAULTER" }
    lines.append(status)
    if report.status == .clear {
      lines.append(
        "No public listings: the registry knows of no unpaid, verified debt (this is not a credit rating)."
      )
    } else {
      lines.append("Risk band: \(report.riskBand)  (\(report.riskModelVersion))")
      for reason in report.riskReasons { lines.append("  \(reason.code): \(reason.message)") }
      lines.append("")
      lines.append(contentsOf: summaryLines(report.summary))
      lines.append("")
      lines.append("Listings (\(report.listings.count) of \(report.summary.publicListings)):")
      for listing in report.listings {
        lines.append(contentsOf: listingLines(listing, party: report.party))
      }
    }
    if !report.related.isEmpty {
      lines.append(
        "Related identifiers: "
          + report.related.map { "\($0.scheme) \($0.value)" }.joined(separator: ", "))
    }
    lines.append(
      "As of sequence \(report.asOfSequence), \(ISO8601DateFormatter().string(from: report.asOf.date))"
    )
    return lines.joined(separator: "\n")
  }

  static func statusWords(_ status: Overdue_V1_ImpactStatus) -> String {
    switch status {
    case .active: return "ACTIVE — unpaid verified default(s) with active impact"
    case .onPlan: return "ON PLAN — paying under an agreed payment plan"
    case .disputed: return "DISPUTED — listing(s) under dispute, impact suspended"
    case .resolved: return "RESOLVED — settled history only, no active impact"
    case .clear: return "CLEAR"
    default: return "UNKNOWN"
    }
  }

  static func summaryLines(_ summary: Overdue_V1_PartySummary) -> [String] {
    var lines = [
      "Summary: \(summary.openListings) open of \(summary.publicListings) public listing(s), \(summary.distinctMembers) member(s)"
    ]
    for outstanding in summary.outstanding {
      let original =
        summary.original.first { $0.currency == outstanding.currency }?.amountMinor ?? 0
      lines.append(
        "  outstanding \(MoneyText.format(outstanding.amountMinor, outstanding.currency)) of \(MoneyText.format(original, outstanding.currency)) originally"
      )
    }
    if !summary.oldestDueOn.isEmpty {
      lines.append(
        "  oldest open due date \(summary.oldestDueOn), \(summary.maxDaysPastDue) days past due")
    }
    if !summary.lastPaymentOn.isEmpty { lines.append("  last payment \(summary.lastPaymentOn)") }
    if summary.plansBreached > 0 {
      lines.append("  payment plans breached: \(summary.plansBreached)")
    }
    if summary.settledInFull + summary.settledForLess > 0 {
      lines.append(
        "  settled: \(summary.settledInFull) in full, \(summary.settledForLess) for less; on average \(summary.averageDaysToSettle) days after due"
      )
    }
    return lines
  }

  static func listingLines(_ listing: Overdue_V1_PublicListing, party: Overdue_V1_PartyIdentifier)
    -> [String]
  {
    let state = StateNames.name(listing.state)
    var first = "  \(listing.listingID)  \(state)  by \(listing.memberName)"
    if !listing.memberSector.isEmpty { first += " (\(listing.memberSector))" }
    if listing.filedUnder != party {
      first += "  · filed under \(listing.filedUnder.scheme) \(listing.filedUnder.value)"
    }
    var second =
      "      \(MoneyText.format(listing.outstandingMinor, listing.currency)) outstanding of \(MoneyText.format(listing.originalMinor, listing.currency))"
    second += " · \(listing.invoiceCount) invoice(s) due \(listing.oldestDueOn)"
    if listing.latestDueOn != listing.oldestDueOn { second += "..\(listing.latestDueOn)" }
    var third = "      notice \(listing.noticeServedOn) · listed \(listing.listedOn)"
    if !listing.settledOn.isEmpty {
      third +=
        " · settled \(listing.settledOn) (\(listing.settledInFull ? "in full" : "for less"), \(listing.daysToSettle) days after due)"
    }
    var lines = [first, second, third]
    if listing.planInstalments > 0 {
      var plan =
        "      payment plan: \(listing.planInstalmentsPaid) of \(listing.planInstalments) instalments paid"
      if listing.state == .onPlan {
        plan =
          "      on payment plan, current, \(listing.planInstalmentsPaid) of \(listing.planInstalments) paid"
      }
      if !listing.planNextDueOn.isEmpty && listing.state == .onPlan {
        plan += " · next due \(listing.planNextDueOn)"
      }
      lines.append(plan)
    }
    for breached in listing.planBreachedOn { lines.append("      plan breached \(breached)") }
    for dispute in listing.disputes {
      switch dispute.outcome {
      case .forMember:
        lines.append(
          "      disputed \(dispute.raisedOn), decided for the member \(dispute.decidedOn)")
      case .forParty:
        lines.append(
          "      disputed \(dispute.raisedOn), decided for the party \(dispute.decidedOn)")
      default: lines.append("      UNDER DISPUTE since \(dispute.raisedOn) (impact suspended)")
      }
    }
    return lines
  }
}
