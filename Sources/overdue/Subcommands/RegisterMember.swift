import ArgumentParser
import OverdueAPI
import OverdueClient

/// `overdue operator register-member`: onboard a business as a member.
struct RegisterMember: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Register a member business; prints its member id.")

  @OptionGroup var connection: ConnectionOptions
  @OptionGroup var request: RequestIdOption
  @Option(help: "The member's display name (shown to other members).") var name: String
  @Option(help: "The member's own identifier (GSTIN, PAN, …); it cannot list itself.")
  var identifier: String
  @Option(help: "Its scheme (inferred when omitted).") var scheme: String = ""
  @Option(help: "Its sector (shown to anonymous checks).") var sector: String = ""

  func run() async throws {
    var message = Overdue_V1_RegisterMemberRequest()
    message.requestID = request.requestId
    message.displayName = name
    message.identifier.scheme = scheme
    message.identifier.value = identifier
    message.sector = sector
    let member = try await connection.run(requiresIdentity: true) { [message] in
      try await $0.operator.registerMember(message)
    }
    print(
      "registered \(member.memberID)  \(member.displayName)  \(member.identifier.scheme) \(member.identifier.value)"
    )
  }
}
