import Foundation
import GRPCCore
import OverdueAPI
import OverdueClient
import OverdueServer
import SwiftProtobuf
import Synchronization
import Testing

@Suite("End to end over TLS: batch checks")
struct BatchCheckTests {
  /// Item `index` of the test ledger: every 1,000th is the listed buyer, every 997th an invalid
  /// GSTIN, the rest distinct clear PANs.
  static func item(_ index: Int) -> Overdue_V1_BatchItem {
    var item = Overdue_V1_BatchItem()
    item.correlationID = String(index)
    if index % 1_000 == 0 {
      item.party.value = "AAPFU0939F"
    } else if index % 997 == 0 {
      item.party.value = "27AAPFU0939F1ZX"
    } else {
      let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
      item.party.value =
        "AAAC\(letters[index / 10_000 % 26])\(String(format: "%04d", index % 10_000))Z"
    }
    return item
  }

  static func items(_ count: Int) -> AsyncStream<Overdue_V1_BatchItem> {
    AsyncStream { continuation in
      for index in 0..<count { continuation.yield(item(index)) }
      continuation.finish()
    }
  }

  @Test func answersPastTheByteBudgetAreSplitAcrossMessagesInOrder() async throws {
    try await TestRegistry.with(configure: { $0.limits.batchAnswerBytes = 4 << 10 }) { registry in
      let messages = Mutex<[[String]]>([])
      try await registry.publicConnection.withClients { clients in
        try await clients.batchCheck(Self.items(2_000), chunkSize: 2_000) { results in
          messages.withLock { $0.append(results.map(\.correlationID)) }
        }
      }
      let answered = messages.withLock { $0 }
      // One request message, answered in several, none much past the budget, every id once and
      // in order.
      #expect(answered.count > 10)
      let ids: [String] = answered.flatMap { $0 }
      let expected: [String] = (0..<2_000).map { String($0) }
      #expect(ids == expected)
    }
  }

  @Test func aHundredThousandItemsAreAnsweredInOrderWithPerItemErrors() async throws {
    try await TestRegistry.with { registry in
      let (_, identity) = try await registry.onboardMember(
        name: "Sharma Steel Traders", gstin: "24AAACC1206D1ZM")
      let filed = try await registry.memberConnection(identity).withClients {
        try await $0.members.fileDefault(Requests.filing())
      }
      let verified = try await registry.asOperator {
        try await $0.operator.verifyListing(Requests.verify(filed.listingID))
      }

      let count = 100_000
      let tally = Mutex((next: 0, active: 0, clear: 0, invalid: 0, wrong: [String]()))
      try await registry.publicConnection.withClients { clients in
        try await clients.batchCheck(Self.items(count), chunkSize: 1_000) { results in
          tally.withLock { tally in
            for result in results {
              let index = tally.next
              tally.next += 1
              guard result.correlationID == String(index) else {
                tally.wrong.append("\(index): correlation \(result.correlationID)")
                continue
              }
              switch result.outcome {
              case .report(let report) where index % 1_000 == 0:
                if report.status == .active && report.asOfSequence >= verified.sequence {
                  tally.active += 1
                } else {
                  tally.wrong.append("\(index): \(report.status)")
                }
              case .error(let status) where index % 997 == 0:
                // BadRequest names the item by its place in its message (1,000 per message).
                let field = "items[\(index % 1_000)].party.value"
                let named = status.details.contains {
                  $0.typeURL.hasSuffix("google.rpc.BadRequest")
                    && String(decoding: $0.value, as: UTF8.self).contains(field)
                }
                if status.code == 3 && status.message.contains("check character") && named {
                  tally.invalid += 1
                } else {
                  tally.wrong.append("\(index): \(status)")
                }
              case .report(let report) where report.status == .clear && report.listings.isEmpty:
                tally.clear += 1
              default:
                tally.wrong.append("\(index): \(result)")
              }
            }
          }
        }
      }
      let final = tally.withLock { $0 }
      #expect(final.wrong.isEmpty, "\(final.wrong.prefix(5))")
      #expect(final.next == count)
      #expect(final.active == count / 1_000)
      #expect(final.invalid == (1..<count).filter { $0 % 997 == 0 && $0 % 1_000 != 0 }.count)
      #expect(final.clear == count - final.active - final.invalid)
    }
  }

  @Test func oneItemPerMessageWorksToo() async throws {
    try await TestRegistry.with { registry in
      let received = Mutex(0)
      try await registry.publicConnection.withClients { clients in
        try await clients.batchCheck(Self.items(300), chunkSize: 1) { results in
          received.withLock { $0 += results.count }
        }
      }
      #expect(received.withLock { $0 } == 300)
    }
  }

  @Test func anOversizedMessageIsRefused() async throws {
    try await TestRegistry.with { registry in
      let refusal = await expectRPCError {
        try await registry.publicConnection.withClients { clients in
          try await clients.batchCheck(Self.items(10_001), chunkSize: 10_001) { _ in }
        }
      }
      #expect(refusal?.0.code == .invalidArgument)
    }
  }
}
