import Foundation
import OverdueAPI

/// What a batch found, counted as results arrive.
struct BatchSummary {
  var checked = 0
  var byStatus: [String: Int] = [:]

  mutating func count(_ result: Overdue_V1_BatchResult) {
    checked += 1
    byStatus[BatchOutput.values(result)[0], default: 0] += 1
  }

  var text: String {
    let order = ["CLEAR", "ACTIVE", "ON_PLAN", "DISPUTED", "RESOLVED", "INVALID"]
    let parts = order.map {
      "\($0.lowercased().replacingOccurrences(of: "_", with: " ")) \(byStatus[$0, default: 0])"
    }
    return "checked \(checked): " + parts.joined(separator: ", ")
  }
}
