import Foundation
import OverdueCore
import PropertyBased
import Testing

/// Figures worked by hand: ₹1,00,000.00 (1,00,00,000 paise) at a bank rate of 5.50%, so 16.50% a
/// year, is 1,00,00,000 × 0.165 ÷ 365 = 4,520.547945… paise a day.
@Suite("MSMED Act section 16 interest")
struct MSMEDInterestTests {
  static let lakh: Int64 = 1_00_000_00
  static let bankRate = 550

  static func date(_ text: String) -> CalendarDate { CalendarDate(text)! }

  static func invoice(_ number: String = "INV-1", due: String, amount: Int64 = lakh) -> Invoice {
    Fixtures.invoice(number, due: due, amount: amount)
  }

  static func payment(_ amount: Int64, on day: String) -> Payment {
    Payment(amountMinor: amount, paidOn: date(day), reference: "UTR-\(day)")
  }

  static func interest(
    _ invoices: [Invoice], payments: [Payment] = [], bankRate: Int = bankRate, asOf: String
  ) -> MSMEDInterest {
    MSMEDInterest.accrued(
      on: invoices, payments: payments, bankRateBasisPoints: bankRate, asOf: date(asOf))
  }

  @Test func oneMonthOfThirtyOneDaysIsSimpleInterest() {
    // Due 1 January, accrues from 2 January, rests on 2 February: 31 days.
    // 1,00,00,000 × 0.165 × 31 ÷ 365 = 1,40,136.986 paise → ₹1,401.37.
    let result = Self.interest([Self.invoice(due: "2026-01-01")], asOf: "2026-02-02")
    #expect(result.totalMinor == 1_40_137)
    #expect(result.annualRateBasisPoints == 1650)
    #expect(result.annualRatePercent == "16.50%")
    #expect(result.daysAccrued == 31)
    #expect(result.asOf == Self.date("2026-02-02"))
    #expect(result.invoices.map(\.interestMinor) == [1_40_137])
    #expect(result.invoices.first?.accruesFrom == Self.date("2026-01-02"))
    #expect(result.invoices.first?.principalOutstandingMinor == Self.lakh)
  }

  @Test func oneMonthOfThirtyDaysIsSimpleInterest() {
    // Accrues from 2 November, rests on 2 December: 30 days.
    // 1,00,00,000 × 0.165 × 30 ÷ 365 = 1,35,616.438 paise → ₹1,356.16.
    let result = Self.interest([Self.invoice(due: "2026-11-01")], asOf: "2026-12-02")
    #expect(result.totalMinor == 1_35_616)
    #expect(result.daysAccrued == 30)
  }

  @Test func theSecondMonthEarnsInterestOnTheFirstMonthsInterest() {
    // Accrues from 1 July; rests on 1 August and 1 September, two periods of 31 days.
    // First: 1,40,136.986 paise. Second: (1,00,00,000 + 1,40,136.986) × 0.165 × 31 ÷ 365
    // = 1,42,100.824 paise, larger by 1,40,136.986 × 0.165 × 31 ÷ 365 = 1,963.837 paise.
    // Total 2,82,237.810 paise → ₹2,822.38.
    let invoices = [Self.invoice(due: "2026-06-30")]
    let first = Self.interest(invoices, asOf: "2026-08-01").totalMinor
    let both = Self.interest(invoices, asOf: "2026-09-01").totalMinor
    #expect(first == 1_40_137)
    #expect(both == 2_82_238)
    #expect(both - first == 1_42_101)
    #expect(both - first - first == 1_964)
  }

  @Test func aPartialMonthAccruesDayByDay() {
    // 2 to 16 January: 15 days, 1,00,00,000 × 0.165 × 15 ÷ 365 = 67,808.219 paise.
    let result = Self.interest([Self.invoice(due: "2026-01-01")], asOf: "2026-01-17")
    #expect(result.totalMinor == 67_808)
    #expect(result.daysAccrued == 15)
  }

  @Test func aPaymentMidwayReducesThePrincipalFromItsDay() {
    // ₹40,000 paid on 16 July: 15 days on ₹1,00,000 and 16 days on ₹60,000,
    // (1,00,00,000 × 15 + 60,00,000 × 16) × 0.165 ÷ 365 = 1,11,205.479 paise.
    let result = Self.interest(
      [Self.invoice(due: "2026-06-30")], payments: [Self.payment(40_000_00, on: "2026-07-16")],
      asOf: "2026-08-01")
    #expect(result.totalMinor == 1_11_205)
    #expect(result.invoices.first?.principalOutstandingMinor == 60_000_00)
  }

  @Test func aPaymentAfterTheAsOfDateChangesNothing() {
    let invoices = [Self.invoice(due: "2026-06-30")]
    let later = Self.interest(
      invoices, payments: [Self.payment(40_000_00, on: "2026-08-02")], asOf: "2026-08-01")
    #expect(later.totalMinor == 1_40_137)
    #expect(later.invoices.first?.principalOutstandingMinor == Self.lakh)
  }

  @Test func aPaymentBeforeTheDueDateReducesThePrincipalBeforeInterestStarts() {
    // 60,00,000 × 0.165 × 31 ÷ 365 = 84,082.192 paise.
    let result = Self.interest(
      [Self.invoice(due: "2026-06-30")], payments: [Self.payment(40_000_00, on: "2026-06-15")],
      asOf: "2026-08-01")
    #expect(result.totalMinor == 84_082)
    #expect(result.daysAccrued == 31)
  }

  @Test func fullPaymentStopsAccrual() {
    // Paid in full on 11 July: 1 to 10 July, 10 days, 45,205.479 paise, and nothing after.
    let invoices = [Self.invoice(due: "2026-06-30")]
    let payments = [Self.payment(Self.lakh, on: "2026-07-11")]
    for asOf in ["2026-07-11", "2026-08-01", "2026-12-01", "2030-01-01"] {
      let result = Self.interest(invoices, payments: payments, asOf: asOf)
      #expect(result.totalMinor == 45_205, "as of \(asOf)")
      #expect(result.daysAccrued == 10)
      #expect(result.invoices.first?.principalOutstandingMinor == 0)
    }
    #expect(Self.interest(invoices, payments: payments, asOf: "2026-07-10").totalMinor == 40_685)
    #expect(
      Self.interest(
        invoices, payments: [Self.payment(Self.lakh, on: "2026-06-01")], asOf: "2027-01-01"
      ).totalMinor == 0)
  }

  @Test func fullPaymentStopsInterestOnCapitalisedInterestToo() {
    // July's 1,40,136.986 paise are capitalised on 1 August; paid in full on 11 August, so
    // 1 to 10 August accrue (1,00,00,000 + 1,40,136.986) × 0.165 × 10 ÷ 365 = 45,838.975 paise.
    // Total 1,85,975.962 paise, owed as it stands from then on.
    let invoices = [Self.invoice(due: "2026-06-30")]
    let payments = [Self.payment(Self.lakh, on: "2026-08-11")]
    let paidOff = Self.interest(invoices, payments: payments, asOf: "2026-08-11")
    #expect(paidOff.totalMinor == 1_85_976)
    #expect(
      Self.interest(invoices, payments: payments, asOf: "2026-12-01")
        == {
          var later = paidOff
          later.asOf = Self.date("2026-12-01")
          return later
        }())
  }

  @Test func overpaymentIsIgnored() {
    let invoices = [Self.invoice(due: "2026-06-30")]
    let result = Self.interest(
      invoices, payments: [Self.payment(3 * Self.lakh, on: "2026-07-11")], asOf: "2026-09-01")
    #expect(result.totalMinor == 45_205)
  }

  @Test func severalInvoicesAccrueFromTheirOwnDueDates() {
    // A: 31 days on ₹1,00,000 = 1,40,136.986 paise. B, due 15 July: 16 to 31 July, 16 days on
    // ₹50,000 = 50,00,000 × 0.165 × 16 ÷ 365 = 36,164.384 paise. Total 1,76,301.370 paise.
    let invoices = [
      Self.invoice("A", due: "2026-06-30"), Self.invoice("B", due: "2026-07-15", amount: 50_000_00),
    ]
    let result = Self.interest(invoices, asOf: "2026-08-01")
    #expect(result.totalMinor == 1_76_301)
    #expect(result.invoices.map(\.invoiceNumber) == ["A", "B"])
    #expect(result.invoices.map(\.interestMinor) == [1_40_137, 36_164])
    #expect(result.invoices.map(\.daysAccrued) == [31, 16])
    #expect(result.daysAccrued == 31)
  }

  @Test func paymentsGoToTheEarliestDueInvoiceFirst() {
    // ₹1,20,000 on 10 July pays A (due 30 June) in full and ₹20,000 of B before B falls due.
    // A: 1 to 9 July, 9 days = 40,684.932 paise. B: 16 days on ₹30,000 = 21,698.630 paise.
    // Total 62,383.562 paise → 62,384; each rounded on its own, 40,685 + 21,699.
    let invoices = [
      Self.invoice("B", due: "2026-07-15", amount: 50_000_00), Self.invoice("A", due: "2026-06-30"),
    ]
    let result = Self.interest(
      invoices, payments: [Self.payment(1_20_000_00, on: "2026-07-10")], asOf: "2026-08-01")
    #expect(result.totalMinor == 62_384)
    #expect(result.invoices.map(\.invoiceNumber) == ["B", "A"])
    #expect(result.invoices.map(\.interestMinor) == [21_699, 40_685])
    #expect(result.invoices.map(\.principalOutstandingMinor) == [30_000_00, 0])
    #expect(result.invoices.map(\.daysAccrued) == [16, 9])
    #expect(result.daysAccrued == 16)
  }

  @Test func invoicesDueTheSameDayArePaidInTheGivenOrder() {
    let invoices = [
      Self.invoice("A", due: "2026-06-30", amount: 50_000_00),
      Self.invoice("B", due: "2026-06-30", amount: 50_000_00),
    ]
    let result = Self.interest(
      invoices, payments: [Self.payment(50_000_00, on: "2026-06-01")], asOf: "2026-08-01")
    #expect(result.invoices.map(\.principalOutstandingMinor) == [0, 50_000_00])
    #expect(result.invoices.map(\.interestMinor) == [0, 70_068])
  }

  @Test func restsOnTheThirtyFirstClampToShorterMonths() {
    // Accrues from 31 January; rests on 28 February (28 days), 31 March (31), 30 April (30),
    // 31 May (31). 28 February: 1,00,00,000 × 0.165 × 28 ÷ 365 = 1,26,575.342 paise.
    // 31 March: + (1,00,00,000 + 1,26,575.342) × 0.165 × 31 ÷ 365 = 2,68,486.117.
    // 30 April: + (1,00,00,000 + 2,68,486.117) × 0.165 × 30 ÷ 365 = 4,07,743.669.
    // 1 May: + one day on April's capitalised balance, (1,00,00,000 + 4,07,743.669) × 0.165
    // ÷ 365 = 4,704.870 → 4,12,448.539; had the rest slipped to 1 May, that day would earn
    // only 4,641.92. 31 May: 5,53,594.652.
    let invoices = [Self.invoice(due: "2026-01-30")]
    let expected: [(String, Int64)] = [
      ("2026-02-28", 1_26_575), ("2026-03-31", 2_68_486), ("2026-04-30", 4_07_744),
      ("2026-05-01", 4_12_449), ("2026-05-31", 5_53_595),
    ]
    for (asOf, minor) in expected {
      #expect(Self.interest(invoices, asOf: asOf).totalMinor == minor, "as of \(asOf)")
    }
    // In a leap year the first rest is 29 February: 29 days, 1,31,095.890 paise.
    #expect(
      Self.interest([Self.invoice(due: "2028-01-30")], asOf: "2028-02-29").totalMinor == 1_31_096)
  }

  @Test(arguments: [0, -550, Int.min])
  func noRateAccruesNothing(bankRate: Int) {
    let result = Self.interest(
      [Self.invoice(due: "2026-01-01")], bankRate: bankRate, asOf: "2027-01-01")
    #expect(result.totalMinor == 0)
    #expect(result.annualRateBasisPoints == 0)
    #expect(result.daysAccrued == 0)
    #expect(result.annualRatePercent == "0.00%")
  }

  @Test func nothingAccruesUntilTheDayAfterTheDayAfterDue() {
    let invoices = [Self.invoice(due: "2026-01-01")]
    for asOf in ["2025-06-01", "2026-01-01", "2026-01-02"] {
      let result = Self.interest(invoices, asOf: asOf)
      #expect(result.totalMinor == 0, "as of \(asOf)")
      #expect(result.daysAccrued == 0)
    }
    // One day, 2 January: 4,520.548 paise.
    #expect(Self.interest(invoices, asOf: "2026-01-03").totalMinor == 4_521)
    #expect(Self.interest([], asOf: "2026-01-03").totalMinor == 0)
  }

  @Test func onlyTheResultsAreRoundedHalfUp() {
    // ₹365.00 for one day: 36,500 × 0.165 ÷ 365 = 16.5 paise exactly, rounded up to 17.
    let one = Self.interest([Self.invoice(due: "2026-01-01", amount: 365_00)], asOf: "2026-01-03")
    #expect(one.totalMinor == 17)
    // Two of them: each shows 17, but the total is 33 from the exact 16.5 + 16.5, not 34.
    let two = Self.interest(
      [
        Self.invoice("A", due: "2026-01-01", amount: 365_00),
        Self.invoice("B", due: "2026-01-01", amount: 365_00),
      ], asOf: "2026-01-03")
    #expect(two.invoices.map(\.interestMinor) == [17, 17])
    #expect(two.totalMinor == 33)
  }

  @Test func ratesWriteWithTwoDecimals() {
    let invoices = [Self.invoice(due: "2026-01-01")]
    #expect(
      Self.interest(invoices, bankRate: 650, asOf: "2026-02-02").annualRatePercent == "19.50%")
    #expect(Self.interest(invoices, bankRate: 3, asOf: "2026-02-02").annualRatePercent == "0.09%")
    #expect(
      Self.interest(invoices, bankRate: 1_000, asOf: "2026-02-02").annualRatePercent == "30.00%")
  }

  @Test func absurdInputsSaturateInsteadOfTrapping() {
    let huge = [
      Self.invoice("A", due: "2026-01-01", amount: .max),
      Self.invoice("B", due: "2026-01-01", amount: .max),
    ]
    // One day on Int64.max: still below the limit.
    let oneDay = Self.interest([huge[0]], asOf: "2026-01-03")
    #expect(oneDay.totalMinor == 4_169_469_550_906_953)  // Int64.max × 0.165 ÷ 365 = …953.447
    #expect(Self.interest(huge, asOf: "2031-01-01").totalMinor == .max)
    #expect(Self.interest(huge, bankRate: .max, asOf: "2026-02-15").totalMinor == .max)
    let negative = Self.interest(
      [Self.invoice(due: "2026-01-01", amount: .min)],
      payments: [Self.payment(.min, on: "2026-01-05")], asOf: "2027-01-01")
    #expect(negative.totalMinor == 0)
    let farApart = MSMEDInterest.accrued(
      on: [
        Invoice(
          number: "X", issuedOn: .init(dayNumber: .min), dueOn: .init(dayNumber: .min),
          amountMinor: .max)
      ],
      payments: [Payment(amountMinor: .max, paidOn: .init(dayNumber: .max), reference: "")],
      bankRateBasisPoints: 1, asOf: .init(dayNumber: .max))
    #expect(farApart.totalMinor == .max)
  }

  // MARK: - Properties

  /// Invoices of up to ₹1,00,00,00,000.00 due in 2024–2027.
  static let invoices = zip(Gen.int64(in: 0...1_00_00_00_000_00), Gen.int(in: 19_723...21_183))
    .map { amount, due in
      Invoice(
        number: "P", issuedOn: CalendarDate(dayNumber: due - 30),
        dueOn: CalendarDate(dayNumber: due),
        amountMinor: amount)
    }
    .array(of: 0...4)
  /// Payments in 2024–2028, sometimes more than everything owed.
  static let payments = zip(Gen.int64(in: 0...1_00_00_00_000_00), Gen.int(in: 19_723...21_549))
    .map { amount, paid in
      Payment(amountMinor: amount, paidOn: CalendarDate(dayNumber: paid), reference: "P")
    }
    .array(of: 0...4)
  static let bankRates = Gen.int(in: 0...2_000)
  /// 2024 to 2031.
  static let asOfDates = Gen.int(in: 19_723...22_644).map { CalendarDate(dayNumber: $0) }

  @Test func interestIsNeverNegative() async {
    await propertyCheck(
      count: 200, input: Self.invoices, Self.payments, Self.bankRates, Self.asOfDates
    ) { invoices, payments, bankRate, asOf in
      let result = MSMEDInterest.accrued(
        on: invoices, payments: payments, bankRateBasisPoints: bankRate, asOf: asOf)
      #expect(result.totalMinor >= 0)
      #expect(result.invoices.allSatisfy { $0.interestMinor >= 0 && $0.daysAccrued >= 0 })
      #expect(result.invoices.count == invoices.count)
    }
  }

  @Test func interestNeverFallsAsTheAsOfDateMovesOn() async {
    await propertyCheck(
      count: 200, input: Self.invoices, Self.payments, Self.bankRates, Self.asOfDates,
      Gen.int(in: 0...400)
    ) { invoices, payments, bankRate, asOf, laterBy in
      let earlier = MSMEDInterest.accrued(
        on: invoices, payments: payments, bankRateBasisPoints: bankRate, asOf: asOf)
      let later = MSMEDInterest.accrued(
        on: invoices, payments: payments, bankRateBasisPoints: bankRate,
        asOf: asOf.adding(days: laterBy))
      #expect(later.totalMinor >= earlier.totalMinor)
      #expect(later.daysAccrued >= earlier.daysAccrued)
      for (before, after) in zip(earlier.invoices, later.invoices) {
        #expect(after.interestMinor >= before.interestMinor)
      }
    }
  }

  @Test func interestIsNeverMoreThanDailyCompounding() async {
    await propertyCheck(
      count: 200, input: Self.invoices, Self.payments, Self.bankRates, Self.asOfDates
    ) { invoices, payments, bankRate, asOf in
      let result = MSMEDInterest.accrued(
        on: invoices, payments: payments, bankRateBasisPoints: bankRate, asOf: asOf)
      let daily = Double(3 * bankRate) / 10_000 / 365
      // Every day's interest on everything accrued so far, and on the unpaid original amount.
      let bound = invoices.reduce(0.0) { bound, invoice in
        let days = Double(max(0, invoice.dueOn.adding(days: 1).days(until: asOf)))
        return bound + Double(invoice.amountMinor) * expm1(days * log1p(daily))
      }
      #expect(Double(result.totalMinor) <= bound * (1 + 1e-12) + 0.5)
    }
  }

  @Test func extremeAmountsNeverTrap() async {
    let amounts = Gen.element(of: [Int64.max, Int64.max - 1, Int64.min, 0, 1]).map { $0 ?? .max }
    let invoices = zip(amounts, Gen.int(in: 18_000...21_183)).map { amount, due in
      Invoice(
        number: "X", issuedOn: CalendarDate(dayNumber: due), dueOn: CalendarDate(dayNumber: due),
        amountMinor: amount)
    }
    let payments = zip(Gen.int64(), Gen.int(in: 18_000...22_644)).map { amount, paid in
      Payment(amountMinor: amount, paidOn: CalendarDate(dayNumber: paid), reference: "X")
    }
    await propertyCheck(
      count: 100, input: invoices.array(of: 1...6), payments.array(of: 0...6),
      Gen.element(of: [1, 550, 2_000, Int.max]).map { $0 ?? 550 }, Self.asOfDates
    ) { invoices, payments, bankRate, asOf in
      let result = MSMEDInterest.accrued(
        on: invoices, payments: payments, bankRateBasisPoints: bankRate, asOf: asOf)
      #expect(result.totalMinor >= 0)
      #expect(result.invoices.allSatisfy { $0.interestMinor <= result.totalMinor })
    }
  }
}
