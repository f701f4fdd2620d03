// Sums over stored listings saturate instead of trapping. Amounts are capped when they are filed
// (`FilingPolicy.maximumMinorByCurrency`), so a sum of today's listings never comes near the
// limit; saturation only ever happens on data written before the cap, and a report that says
// "at least Int64.max" is better than a server that crashes on a party's check.
extension FixedWidthInteger {
  /// `self + other`, or the nearest bound when that does not fit.
  func saturatingAdding(_ other: Self) -> Self {
    let (sum, overflow) = addingReportingOverflow(other)
    guard overflow else { return sum }
    return other > 0 ? .max : .min
  }

  /// Adds `other`, saturating.
  mutating func saturatingAdd(_ other: Self) { self = saturatingAdding(other) }

  /// `self - other`, or the nearest bound when that does not fit.
  func saturatingSubtracting(_ other: Self) -> Self {
    let (difference, overflow) = subtractingReportingOverflow(other)
    guard overflow else { return difference }
    return other > 0 ? .min : .max
  }
}

extension Sequence {
  /// The saturating sum of `amount` over the elements.
  func saturatingSum<Amount: FixedWidthInteger>(_ amount: (Element) -> Amount) -> Amount {
    reduce(0) { $0.saturatingAdding(amount($1)) }
  }
}
