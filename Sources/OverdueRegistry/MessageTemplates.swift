import Foundation
import OverdueCore
import OverdueStore

/// The words of every message the registry sends: a plain-text and an HTML e-mail, or a webhook's
/// JSON `{type, timestamp, data}`. Pure: the caller gives the facts and the time.
enum MessageTemplates {
  /// The bodies of an e-mail.
  struct Email {
    var subject: String
    var text: String
    var html: String
  }

  /// What a reminder says about its listing.
  struct ReminderFacts {
    var listing: Listing
    var memberName: String
    var today: CalendarDate
    var paymentInstructions: String
    /// The interest accrued under MSMED Act section 16, when it applies.
    var msmedInterest: MSMEDInterest?

    var daysPastDue: Int { max(0, listing.oldestDueOn.days(until: today)) }
    var outstanding: String { MoneyText.format(listing.outstandingMinor, listing.currency) }
  }

  static func reminderEmail(_ facts: ReminderFacts) -> Email {
    let listing = facts.listing
    var lines = [
      "Dear \(listing.legalName),",
      "",
      "\(facts.memberName) reminds you, through the Overdue registry, of an overdue payment.",
      "",
      "Listing: \(listing.id)",
      "Outstanding: \(facts.outstanding) (invoiced \(MoneyText.format(listing.originalMinor, listing.currency)))",
      "Days past due: \(facts.daysPastDue) (the oldest invoice was due on \(listing.oldestDueOn))",
    ]
    for invoice in listing.invoices {
      lines.append(
        "  Invoice \(invoice.number) of \(invoice.issuedOn), due \(invoice.dueOn): \(MoneyText.format(invoice.amountMinor, listing.currency))"
      )
    }
    if let interest = facts.msmedInterest {
      lines += ["", msmedSentence(interest, currency: listing.currency, asOf: facts.today)]
    }
    lines += [
      "",
      "How to pay: \(howToPay(facts))",
      "How to dispute: \(howToDispute(listing))",
      "",
      "Once \(facts.memberName) confirms the payment, the listing is settled and its credit impact ends.",
    ]
    return Email(
      subject: "Payment reminder: \(facts.outstanding) overdue to \(facts.memberName)",
      text: lines.joined(separator: "\n"), html: html(lines))
  }

  /// A reminder for the member's own gateway (SMS, WhatsApp, IVR, legal notice): the facts as
  /// data, and a short text to send.
  static func reminderWebhook(
    _ facts: ReminderFacts, channel: ReminderChannel, schedule: ReminderSchedule, at now: Date
  ) -> String {
    let listing = facts.listing
    var text =
      "\(facts.memberName): \(facts.outstanding) overdue \(facts.daysPastDue) days (listing \(listing.id)). \(howToPay(facts))"
    var data: [String: Any] = [
      "listing_id": listing.id, "channel": channel.rawValue, "party_name": listing.legalName,
      "party_phone": schedule.request.partyPhone, "party_email": schedule.request.partyEmail,
      "member_name": facts.memberName, "currency": listing.currency,
      "outstanding_minor": listing.outstandingMinor, "days_past_due": facts.daysPastDue,
      "dlt_header": schedule.request.dltHeader, "dlt_template_id": schedule.request.dltTemplateId,
      "how_to_dispute": howToDispute(listing),
    ]
    if let interest = facts.msmedInterest {
      data["msmed_interest_minor"] = interest.totalMinor
      data["msmed_annual_rate_basis_points"] = interest.annualRateBasisPoints
      text += " " + msmedSentence(interest, currency: listing.currency, asOf: facts.today)
    }
    data["text"] = text
    return webhookBody(type: "reminder.\(channel.rawValue.lowercased())", data: data, at: now)
  }

  static func partyListed(_ listing: Listing, memberName: String) -> Email {
    let outstanding = MoneyText.format(listing.outstandingMinor, listing.currency)
    let lines = [
      "Dear \(listing.legalName),",
      "",
      "\(memberName) has listed an unpaid debt of yours in the Overdue registry, a public registry of business payment defaults. Anyone checking \(listing.party.value) before giving you credit now sees it.",
      "",
      "Listing: \(listing.id)",
      "Listed by: \(memberName)",
      "Outstanding: \(outstanding), overdue since \(listing.oldestDueOn)",
      "",
      "How to pay: contact \(memberName) and pay the amount outstanding. Once \(memberName) confirms the settlement, the listing's credit impact ends; its history stays visible.",
      "How to dispute: \(howToDispute(listing))",
    ]
    return Email(
      subject: "You are listed in the Overdue registry by \(memberName) for \(outstanding)",
      text: lines.joined(separator: "\n"), html: html(lines))
  }

  static func partySettled(_ listing: Listing, memberName: String) -> Email {
    let lines = [
      "Dear \(listing.legalName),",
      "",
      "\(memberName) has settled listing \(listing.id) in the Overdue registry. Its credit impact has ceased: checks of \(listing.party.value) show it as settled, and its history stays visible.",
    ]
    return Email(
      subject: "Settled: the listing by \(memberName) no longer counts against you",
      text: lines.joined(separator: "\n"), html: html(lines))
  }

  /// A watch change for the member's webhook.
  static func alert(_ change: WatchedChange, at now: Date) -> String {
    var data: [String: Any] = [
      "sequence": change.sequence,
      "party": ["scheme": change.party.scheme.rawValue, "value": change.party.value],
      "listing_id": change.listingId, "change": change.kind?.rawValue ?? "CURRENT_STATE",
      "status": change.status.rawValue, "at": timestamp(change.at),
    ]
    if let filedUnder = change.filedUnder {
      data["filed_under"] = ["scheme": filedUnder.scheme.rawValue, "value": filedUnder.value]
    }
    return webhookBody(type: "watch.change", data: data, at: now)
  }

  /// The most changes a digest lists; the rest are counted.
  static let digestLines = 1_000

  /// One day's watch changes, grouped by kind (`omitted` more are only counted).
  static func digest(_ changes: [WatchedChange], omitted: Int, on day: CalendarDate) -> Email {
    var lines = ["Changes to the parties on your Overdue watchlist up to \(day):", ""]
    for kind in ChangeKind.allCases {
      let ofKind = changes.filter { $0.kind == kind }
      guard !ofKind.isEmpty else { continue }
      lines.append("\(kind.rawValue) (\(ofKind.count))")
      for change in ofKind {
        lines.append(
          "  \(change.party.scheme.rawValue) \(change.party.value): listing \(change.listingId), now \(change.status.rawValue)"
        )
      }
      lines.append("")
    }
    if omitted > 0 {
      lines.append("… and \(omitted) more: `overdue member watch --after SEQUENCE` lists them all.")
    }
    let total = changes.count + omitted
    return Email(
      subject: "Overdue watchlist digest: \(total) change\(total == 1 ? "" : "s")",
      text: lines.joined(separator: "\n"), html: html(lines))
  }

  static func endpointDisabled(url: String, detail: String, at now: Date) -> Email {
    let lines = [
      "Your Overdue webhook \(url) answered \(detail) at \(timestamp(now)) and has been disabled.",
      "Messages for it are recorded as undeliverable until you set it again (overdue member webhook set URL).",
    ]
    return Email(
      subject: "Your Overdue webhook was disabled", text: lines.joined(separator: "\n"),
      html: html(lines))
  }

  // MARK: Pieces

  private static func howToPay(_ facts: ReminderFacts) -> String {
    facts.paymentInstructions.isEmpty
      ? "contact \(facts.memberName) to pay the amount outstanding."
      : facts.paymentInstructions
  }

  private static func howToDispute(_ listing: Listing) -> String {
    "if you do not owe this amount, write to the registry's operators quoting listing \(listing.id) and your evidence; while a dispute is open the listing does not count against you."
  }

  private static func msmedSentence(_ interest: MSMEDInterest, currency: String, asOf: CalendarDate)
    -> String
  {
    "Interest accrued under section 16 of the MSMED Act 2006 (compound, monthly rests, at three times the RBI bank rate: \(interest.annualRatePercent) a year) as of \(asOf): \(MoneyText.format(interest.totalMinor, currency))."
  }

  private static func html(_ lines: [String]) -> String {
    let body = lines.split(separator: "", omittingEmptySubsequences: true).map { paragraph in
      "<p>" + paragraph.map(escape).joined(separator: "<br>\n") + "</p>"
    }
    return "<!doctype html>\n<html><body>\n" + body.joined(separator: "\n") + "\n</body></html>"
  }

  static func escape(_ text: String) -> String {
    var escaped = ""
    for character in text {
      switch character {
      case "&": escaped += "&amp;"
      case "<": escaped += "&lt;"
      case ">": escaped += "&gt;"
      case "\"": escaped += "&quot;"
      case "'": escaped += "&#39;"
      default: escaped.append(character)
      }
    }
    return escaped
  }

  private static func webhookBody(type: String, data: [String: Any], at now: Date) -> String {
    let envelope: [String: Any] = ["type": type, "timestamp": timestamp(now), "data": data]
    let bytes =
      (try? JSONSerialization.data(
        withJSONObject: envelope, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
    return String(decoding: bytes, as: UTF8.self)
  }

  static func timestamp(_ date: Date) -> String {
    date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true))
  }
}
