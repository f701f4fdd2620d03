/// The registry's filing rules (SPEC section 3), configurable; defaults are the published policy.
public struct FilingPolicy: Sendable, Equatable {
  /// Every invoice must be at least this many days past its due date.
  public var minOverdueDays = 60
  /// An invoice due longer ago than this is time-barred.
  public var maxClaimAgeYears = 3
  /// Days that must pass after written notice before a listing can be verified.
  public var noticeDays = 14
  /// The minimum total per currency, in minor units; a currency not here cannot be listed.
  public var minimumMinorByCurrency: [String: Int64] = [
    "INR": 100_000, "USD": 10_000, "EUR": 10_000, "GBP": 10_000,
  ]
  /// The largest amount per currency, in minor units, that any invoice, total, payment,
  /// instalment or settlement may have; big enough for any real debt, small enough that sums of
  /// many never come near `Int64.max`.
  public var maximumMinorByCurrency: [String: Int64] = [
    "INR": 1_000_000_000_000_000, "USD": 10_000_000_000_000, "EUR": 10_000_000_000_000,
    "GBP": 10_000_000_000_000,
  ]
  /// The largest amount, in minor units, for a currency without an entry in
  /// `maximumMinorByCurrency`.
  public var otherwiseMaximumMinor: Int64 = 1_000_000_000_000_000
  /// At most this many invoices in one listing.
  public var maxInvoices = 500
  /// An instalment unpaid this many days after its due date breaches its payment plan.
  public var graceDays = 7
  /// A settled listing stays in the public history this long after settlement.
  public var historyYears = 5
  /// An unsettled listing leaves the public view this long after it was listed.
  public var maxListingYears = 6
  /// At most this many instalments in one payment plan.
  public var maxInstalments = 120
  /// Every instalment of a payment plan falls due within this many years of the day it is agreed.
  public var maxPlanYears = 10

  public init() {}

  /// The published policy.
  public static var defaults: FilingPolicy { FilingPolicy() }

  /// The policy with changes applied, in the style `FilingPolicy.defaults { $0.noticeDays = 7 }`.
  public static func defaults(_ configure: (inout FilingPolicy) -> Void) -> FilingPolicy {
    var policy = FilingPolicy()
    configure(&policy)
    return policy
  }

  /// The largest amount, in minor units, allowed in `currency`.
  public func maximumMinor(for currency: String) -> Int64 {
    maximumMinorByCurrency[currency] ?? otherwiseMaximumMinor
  }

  /// The parameters the scheduler's deadlines depend on, as stored beside a read model computed
  /// under them.
  public var deadlineRules: String {
    "grace_days=\(graceDays);history_years=\(historyYears);max_listing_years=\(maxListingYears)"
  }
}
