import ArgumentParser
import OverdueAPI
import OverdueClient

/// `overdue operator suspend`: stop a member from writing; its open listings stay.
struct Suspend: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Suspend a member (it can no longer write).")

  @OptionGroup var connection: ConnectionOptions
  @OptionGroup var request: RequestIdOption
  @Argument(help: "The member id.") var memberId: String
  @Option(help: "Why.") var reason: String

  func run() async throws {
    var message = Overdue_V1_SuspendMemberRequest()
    message.requestID = request.requestId
    message.memberID = memberId
    message.reason = reason
    let member = try await connection.run(requiresIdentity: true) { [message] in
      try await $0.operator.suspendMember(message)
    }
    print("suspended \(member.memberID)  \(member.displayName)")
  }
}
