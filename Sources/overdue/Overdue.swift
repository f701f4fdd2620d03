import ArgumentParser

/// `overdue`: the registry's command-line client.
@main
struct Overdue: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "overdue",
    abstract:
      "Check buyers against the Overdue registry of payment defaulters, and do member and operator work.",
    subcommands: [Check.self, Search.self, Batch.self, MemberCommand.self, OperatorCommand.self])
}

/// `overdue member …`: a member's own listings (needs a member identity).
struct MemberCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "member", abstract: "File defaults and keep your listings current (mutual TLS).",
    subcommands: [
      FileDefault.self, Import.self, Amend.self, Pay.self, Plan.self, Settle.self, Withdraw.self,
      Listings.self,
      Show.self,
      WatchlistCommand.self, Watch.self, WebhookCommand.self, Alerts.self, Remind.self,
      Deliveries.self,
    ])
}

/// `overdue operator …`: registry staff's work (needs an operator identity).
struct OperatorCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "operator",
    abstract: "Onboard members, verify or reject filings (operator certificate).",
    subcommands: [
      RegisterMember.self, IssueCertificate.self, Pending.self, EvidenceCommand.self, Verify.self,
      Reject.self, DisputeCommand.self, Decide.self, SettleOnProof.self, Audit.self, Suspend.self,
      Reinstate.self,
    ])
}
