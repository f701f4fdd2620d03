/// One agreed instalment of a payment plan.
public struct Instalment: Codable, Sendable, Equatable {
  public var dueOn: CalendarDate
  public var amountMinor: Int64

  public init(dueOn: CalendarDate, amountMinor: Int64) {
    self.dueOn = dueOn
    self.amountMinor = amountMinor
  }
}

/// A payment plan the member agreed with the party: instalments adding up to what was outstanding.
public struct PaymentPlan: Codable, Sendable, Equatable {
  public var instalments: [Instalment]
  public var agreedOn: CalendarDate
  /// What had been paid before the plan; later payments are matched to instalments in due order.
  public var paidBeforeMinor: Int64
  /// When a dispute paused the plan, and when the plan resumed after it (a fresh grace period).
  public var pausedOn: CalendarDate?
  public var resumedOn: CalendarDate?

  public init(instalments: [Instalment], agreedOn: CalendarDate, paidBeforeMinor: Int64) {
    self.instalments = instalments
    self.agreedOn = agreedOn
    self.paidBeforeMinor = paidBeforeMinor
  }

  /// How many instalments the payments since the plan fully cover, in due order.
  public func instalmentsPaid(totalPaidMinor: Int64) -> Int {
    var remaining = totalPaidMinor.saturatingSubtracting(paidBeforeMinor)
    var count = 0
    for instalment in instalments {
      guard remaining >= instalment.amountMinor else { break }
      remaining = remaining.saturatingSubtracting(instalment.amountMinor)
      count += 1
    }
    return count
  }

  /// The last day an instalment may be paid before the plan is breached: its due date plus the
  /// grace days, or, when that deadline fell in a dispute, the plan's resumption plus the grace days.
  public func deadline(of instalment: Instalment, graceDays: Int) -> CalendarDate {
    let normal = instalment.dueOn.adding(days: graceDays)
    guard let pausedOn, let resumedOn, normal >= pausedOn else { return normal }
    return max(normal, resumedOn.adding(days: graceDays))
  }

  /// The first instalment still unpaid after its deadline, if any.
  public func breachedInstalment(totalPaidMinor: Int64, today: CalendarDate, graceDays: Int) -> Int?
  {
    let paid = instalmentsPaid(totalPaidMinor: totalPaidMinor)
    guard paid < instalments.count else { return nil }
    return deadline(of: instalments[paid], graceDays: graceDays) < today ? paid : nil
  }
}
