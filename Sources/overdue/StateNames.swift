import Foundation
import OverdueAPI

/// Listing states as the CLI prints and reads them.
enum StateNames {
  static let names: [(Overdue_V1_ListingState, String)] = [
    (.pending, "PENDING"), (.listed, "LISTED"), (.disputed, "DISPUTED"), (.onPlan, "ON_PLAN"),
    (.settled, "SETTLED"), (.withdrawn, "WITHDRAWN"), (.rejected, "REJECTED"), (.voided, "VOIDED"),
  ]

  static func name(_ state: Overdue_V1_ListingState) -> String {
    names.first { $0.0 == state }?.1 ?? "UNKNOWN"
  }

  static func status(_ status: Overdue_V1_ImpactStatus) -> String {
    switch status {
    case .active: return "ACTIVE"
    case .onPlan: return "ON_PLAN"
    case .disputed: return "DISPUTED"
    case .resolved: return "RESOLVED"
    case .clear: return "CLEAR"
    default: return "UNKNOWN"
    }
  }

  static func state(_ text: String) -> Overdue_V1_ListingState? {
    let wanted = text.uppercased().replacingOccurrences(of: "-", with: "_")
    return names.first { $0.1 == wanted }?.0
  }
}
