import ArgumentParser
import OverdueAPI
import OverdueClient

/// `overdue operator reinstate`: let a suspended member write again.
struct Reinstate: AsyncParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Reinstate a suspended member.")

  @OptionGroup var connection: ConnectionOptions
  @OptionGroup var request: RequestIdOption
  @Argument(help: "The member id.") var memberId: String
  @Option(help: "Why.") var reason: String

  func run() async throws {
    var message = Overdue_V1_ReinstateMemberRequest()
    message.requestID = request.requestId
    message.memberID = memberId
    message.reason = reason
    let member = try await connection.run(requiresIdentity: true) { [message] in
      try await $0.operator.reinstateMember(message)
    }
    print("reinstated \(member.memberID)  \(member.displayName)")
  }
}
