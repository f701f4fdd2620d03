import Foundation

/// Interest a buyer owes a micro or small supplier under section 16 of the MSMED Act 2006.
///
/// Section 16 makes a buyer who pays late liable for "compound interest with monthly rests … from
/// the date immediately following the date agreed upon, at three times of the bank rate notified
/// by the Reserve Bank". `accrued(on:payments:bankRateBasisPoints:asOf:)` reads that as follows,
/// and a reminder quoting the figure should not claim more than this reading gives:
///
/// - **Start.** Each invoice accrues from the day after its `dueOn` (the caller passes the agreed
///   date, or the appointed day of section 15 when nothing was agreed). Interest accrues on the
///   days from that start up to the day before `asOf`: as of the start itself nothing is owed.
/// - **Rests.** Rests fall monthly on the start's day of the month, clamped to shorter months
///   (a start on 31 January rests on 28 or 29 February, 31 March, 30 April, …; the clamp is taken
///   from the start each month, so the rests do not drift to the 28th).
/// - **Daily accrual.** Within a period each day accrues (principal that day + interest
///   capitalised at earlier rests) × annual rate ÷ 365, leap years included; at each rest the
///   period's interest is capitalised. As of a day between rests the interest owed is the
///   capitalised interest plus the current period's accrual so far.
/// - **Payments.** Payments are taken in order of `paidOn` (ties in the given order) and applied
///   to principal only, invoice by invoice in order of `dueOn` (ties in the given order), from the
///   day they were paid: a payment on a day reduces that day's principal, and one made before an
///   invoice's due date reduces it before interest starts. A payment never reduces interest
///   already accrued, and what exceeds all principal is ignored. Negative amounts count as zero.
/// - **Full payment.** Once an invoice's principal is paid in full, interest stops accruing on it
///   entirely, also on interest capitalised earlier, which stays owed. Compounding on that
///   capitalised interest could be argued for; a reminder asks for the smaller, safer figure.
/// - **Exactness.** Intermediate values are `Decimal`, unrounded (38 significant digits). Only
///   the results are rounded to whole minor units, half up: the total from the exact sum, and each
///   invoice's figure on its own, so the invoices' figures can differ from the total by up to half
///   a minor unit per invoice. Results saturate at `Int64.max` instead of trapping; dates outside
///   `CalendarDate`'s years 1–9999 are clamped to them.
/// - **No rate.** A bank rate of zero or less accrues nothing.
public struct MSMEDInterest: Sendable, Equatable {
  /// One invoice's share of the interest.
  public struct InvoiceInterest: Sendable, Equatable {
    public var invoiceNumber: String
    public var dueOn: CalendarDate
    /// The first day interest runs on: the day after `dueOn`.
    public var accruesFrom: CalendarDate
    /// Days on which interest accrued: from `accruesFrom` to the day before the as-of date, or to
    /// the day before the principal was paid in full.
    public var daysAccrued: Int
    /// Principal still unpaid on the as-of date.
    public var principalOutstandingMinor: Int64
    /// Interest owed on the as-of date, rounded half up to a whole minor unit.
    public var interestMinor: Int64
  }

  /// The day the interest is worked out for.
  public var asOf: CalendarDate
  /// The annual rate: three times the bank rate (1650 for a bank rate of 550).
  public var annualRateBasisPoints: Int
  /// All invoices' interest, rounded half up to a whole minor unit from the exact sum.
  public var totalMinor: Int64
  /// The longest any invoice accrued, in days.
  public var daysAccrued: Int
  /// Per invoice, in the order given.
  public var invoices: [InvoiceInterest]

  /// The annual rate as a reminder writes it, e.g. `16.50%`.
  public var annualRatePercent: String {
    let fraction = annualRateBasisPoints % 100
    return "\(annualRateBasisPoints / 100).\(fraction < 10 ? "0" : "")\(fraction)%"
  }

  /// The interest owed on `invoices` as of `asOf`, after `payments`, at three times
  /// `bankRateBasisPoints` (550 is 5.50%), by the rules in the type's documentation.
  public static func accrued(
    on invoices: [Invoice], payments: [Payment], bankRateBasisPoints: Int, asOf: CalendarDate
  ) -> MSMEDInterest {
    let annualRate: Int
    if bankRateBasisPoints <= 0 {
      annualRate = 0
    } else {
      let (tripled, overflow) = bankRateBasisPoints.multipliedReportingOverflow(by: 3)
      annualRate = overflow ? .max : tripled
    }
    let asOf = asOf.clampedToCalendar
    let reductions = principalReductions(invoices: invoices, payments: payments)
    var total = Decimal(0)
    var shares: [InvoiceInterest] = []
    shares.reserveCapacity(invoices.count)
    for (invoice, reductions) in zip(invoices, reductions) {
      let dueOn = invoice.dueOn.clampedToCalendar
      let accrual = InvoiceAccrual(
        principal: max(0, invoice.amountMinor), reductions: reductions,
        start: dueOn.adding(days: 1), asOf: asOf, annualRateBasisPoints: annualRate)
      total += accrual.interest
      shares.append(
        InvoiceInterest(
          invoiceNumber: invoice.number, dueOn: invoice.dueOn, accruesFrom: dueOn.adding(days: 1),
          daysAccrued: accrual.daysAccrued, principalOutstandingMinor: accrual.principalOnAsOf,
          interestMinor: roundedMinor(accrual.interest)))
    }
    return MSMEDInterest(
      asOf: asOf, annualRateBasisPoints: annualRate, totalMinor: roundedMinor(total),
      daysAccrued: shares.map(\.daysAccrued).max() ?? 0, invoices: shares)
  }

  /// A part of a payment applied to one invoice's principal.
  fileprivate struct Reduction {
    var dayNumber: Int
    var amountMinor: Int64
  }

  /// Each invoice's principal reductions (in the invoices' order), each list oldest first.
  fileprivate static func principalReductions(invoices: [Invoice], payments: [Payment])
    -> [[Reduction]]
  {
    let byDueDate = invoices.indices.sorted {
      (invoices[$0].dueOn.clampedToCalendar, $0) < (invoices[$1].dueOn.clampedToCalendar, $1)
    }
    let byPaymentDate = payments.indices.sorted {
      (payments[$0].paidOn.clampedToCalendar, $0) < (payments[$1].paidOn.clampedToCalendar, $1)
    }
    var unpaid = invoices.map { max(0, $0.amountMinor) }
    var reductions = Array(repeating: [Reduction](), count: invoices.count)
    var next = 0  // the earliest-due invoice that may still have principal
    for payment in byPaymentDate.map({ payments[$0] }) {
      var left = max(0, payment.amountMinor)
      while left > 0, next < byDueDate.count {
        let invoice = byDueDate[next]
        let applied = min(left, unpaid[invoice])
        if applied > 0 {
          reductions[invoice].append(
            Reduction(dayNumber: payment.paidOn.clampedToCalendar.dayNumber, amountMinor: applied))
          unpaid[invoice] -= applied
          left -= applied
        }
        if unpaid[invoice] == 0 { next += 1 }
      }
    }
    return reductions
  }

  /// `Int64.max` minor units: past it the figure saturates, so accrual can stop there.
  fileprivate static let ceiling = Decimal(Int64.max)

  /// `value` rounded half up to a whole minor unit, saturating at `Int64.max`.
  private static func roundedMinor(_ value: Decimal) -> Int64 {
    guard value > 0 else { return 0 }
    guard value < ceiling else { return .max }
    var exact = value
    var rounded = Decimal()
    NSDecimalRound(&rounded, &exact, 0, .plain)
    guard rounded < ceiling else { return .max }
    // A whole number below Int64.max prints as plain digits.
    return Int64(rounded.description) ?? .max
  }
}

/// One invoice's interest, worked out period by period between rests.
private struct InvoiceAccrual {
  var interest = Decimal(0)
  var daysAccrued = 0
  var principalOnAsOf: Int64

  init(
    principal original: Int64, reductions: [MSMEDInterest.Reduction], start: CalendarDate,
    asOf: CalendarDate, annualRateBasisPoints: Int
  ) {
    principalOnAsOf =
      original
      - reductions.lazy.filter { $0.dayNumber <= asOf.dayNumber }.map(\.amountMinor)
      .reduce(0, +)
    // Principal on the start day; later reductions are applied as their days come.
    var principal = original
    var pending = reductions[...]
    while let first = pending.first, first.dayNumber <= start.dayNumber {
      principal -= first.amountMinor
      pending = pending.dropFirst()
    }
    // Accrual ends before as-of, or on the day the principal is paid in full.
    var end = asOf.dayNumber
    if principal == 0 {
      end = start.dayNumber
    } else if let paidInFull = Self.dayPaidInFull(principal: principal, reductions: pending) {
      end = min(end, paidInFull)
    }
    guard annualRateBasisPoints > 0, end > start.dayNumber else { return }
    daysAccrued = end - start.dayNumber

    let rate = Decimal(annualRateBasisPoints)
    let (year, month, day) = start.components
    var capitalised = Decimal(0)
    var periodStart = start.dayNumber
    var months = 0
    while periodStart < end {
      months += 1
      let rest = Self.rest(year: year, month: month, day: day, monthsLater: months)
      let periodEnd = min(rest, end)
      // Σ principal over the period's days, segment by segment between payments.
      var principalDays = Decimal(0)
      var segmentStart = periodStart
      while let first = pending.first, first.dayNumber < periodEnd {
        principalDays += Decimal(principal) * Decimal(first.dayNumber - segmentStart)
        principal -= first.amountMinor
        segmentStart = first.dayNumber
        pending = pending.dropFirst()
      }
      principalDays += Decimal(principal) * Decimal(periodEnd - segmentStart)
      // Multiplied out before the one division, which is the only inexact step.
      let accrued =
        (principalDays + capitalised * Decimal(periodEnd - periodStart)) * rate / 3_650_000
      guard periodEnd == rest else {
        interest = capitalised + accrued
        return
      }
      capitalised += accrued
      guard capitalised < MSMEDInterest.ceiling else {
        interest = MSMEDInterest.ceiling
        return
      }
      periodStart = rest
    }
    interest = capitalised
  }

  /// The day a reduction brings `principal` to zero, if one does.
  static func dayPaidInFull(principal: Int64, reductions: ArraySlice<MSMEDInterest.Reduction>)
    -> Int?
  {
    var left = principal
    for reduction in reductions {
      left -= reduction.amountMinor
      if left == 0 { return reduction.dayNumber }
    }
    return nil
  }

  /// The day number of the rest `monthsLater` months after a start on `year-month-day`, on the
  /// same day of the month or the month's last day.
  static func rest(year: Int, month: Int, day: Int, monthsLater: Int) -> Int {
    let index = year * 12 + (month - 1) + monthsLater
    let (restYear, restMonth) = (index / 12, index % 12 + 1)
    let restDay = min(day, CalendarDate.daysInMonth(year: restYear, month: restMonth))
    return CalendarDate.days(year: restYear, month: restMonth, day: restDay)
  }
}

extension CalendarDate {
  private static let first = CalendarDate(year: 1, month: 1, day: 1)!
  private static let last = CalendarDate(year: 9999, month: 12, day: 31)!

  /// The date moved into years 1–9999, where day arithmetic cannot overflow.
  fileprivate var clampedToCalendar: CalendarDate { min(max(self, Self.first), Self.last) }
}
