/// The rules a payment plan must meet when it is agreed or replaced.
enum PlanRules {
  static func check(
    _ instalments: [Instalment], outstanding: Int64, maximum: Int64, context: DecisionContext
  ) throws(RegistryError) {
    guard !instalments.isEmpty else {
      throw .invalid(
        "instalments", "NO_INSTALMENTS", "a payment plan needs at least one instalment")
    }
    guard instalments.count <= context.policy.maxInstalments else {
      throw .invalid(
        "instalments", "TOO_MANY_INSTALMENTS",
        "at most \(context.policy.maxInstalments) instalments in one plan")
    }
    let latest = context.today.adding(years: context.policy.maxPlanYears)
    var total: Int64 = 0
    var previous: CalendarDate?
    for (index, instalment) in instalments.enumerated() {
      let field = "instalments[\(index)]"
      guard instalment.amountMinor > 0 else {
        throw .invalid(
          "\(field).amount_minor", "NON_POSITIVE_AMOUNT", "an instalment must be more than zero")
      }
      try FilingRules.checkMaximum(instalment.amountMinor, maximum, field: "\(field).amount_minor")
      guard instalment.dueOn >= context.today else {
        throw .invalid(
          "\(field).due_on", "DATE_IN_PAST", "instalment due date \(instalment.dueOn) has passed")
      }
      guard instalment.dueOn <= latest else {
        throw .invalid(
          "\(field).due_on", "PLAN_TOO_LONG",
          "instalment due date \(instalment.dueOn) is after \(latest): a plan ends within "
            + "\(context.policy.maxPlanYears) years")
      }
      if let previous, instalment.dueOn <= previous {
        throw .invalid(
          "\(field).due_on", "INSTALMENTS_OUT_OF_ORDER",
          "instalment due dates must increase; \(instalment.dueOn) follows \(previous)")
      }
      previous = instalment.dueOn
      let (sum, overflow) = total.addingReportingOverflow(instalment.amountMinor)
      guard !overflow else {
        throw .invalid("instalments", "AMOUNT_TOO_LARGE", "the instalments' total is too large")
      }
      total = sum
    }
    guard total == outstanding else {
      throw .invalid(
        "instalments", "PLAN_TOTAL_MISMATCH",
        "the instalments add up to \(total) but \(outstanding) is outstanding")
    }
  }
}
