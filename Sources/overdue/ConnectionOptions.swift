import ArgumentParser
import Foundation
import GRPCCore
import OverdueCertificates
import OverdueClient

/// Where the registry is and who we are: shared by every subcommand.
struct ConnectionOptions: ParsableArguments {
  @Option(
    help:
      "Registry address host:port. Default: 127.0.0.1:7443 for checks, 127.0.0.1:7444 with an identity. Env: OVERDUE_SERVER."
  )
  var server: String?

  @Option(
    help:
      "Identity directory (cert.pem, key.pem, ca.pem) for member and operator work. Env: OVERDUE_IDENTITY."
  )
  var identity: String?

  @Option(
    help:
      "CA certificate that signed the server's certificate. Default: the identity's ca.pem, else data/certs/ca.pem. Env: OVERDUE_CA."
  )
  var ca: String?

  private var environment: [String: String] { ProcessInfo.processInfo.environment }

  /// A connection; `requiresIdentity` for the member listener.
  func connection(requiresIdentity: Bool) throws -> RegistryConnection {
    let identityPath = identity ?? environment["OVERDUE_IDENTITY"]
    if requiresIdentity && identityPath == nil {
      throw ValidationError(
        "this command needs --identity DIR (a member or operator identity directory)")
    }
    let directory = identityPath.map { IdentityDirectory(URL(fileURLWithPath: $0)) }
    if let directory, !directory.exists {
      throw ValidationError(
        "identity directory \(directory.url.path) must hold cert.pem, key.pem and ca.pem")
    }
    let caFile = ca ?? environment["OVERDUE_CA"] ?? directory?.caFile.path ?? "data/certs/ca.pem"
    guard FileManager.default.fileExists(atPath: caFile) else {
      throw ValidationError(
        "no CA certificate at \(caFile); pass --ca (the server's DATA/certs/ca.pem)")
    }
    let address =
      server ?? environment["OVERDUE_SERVER"]
      ?? (directory == nil ? "127.0.0.1:7443" : "127.0.0.1:7444")
    guard let connection = RegistryConnection(address: address, caFile: caFile, identity: directory)
    else {
      throw ValidationError("--server must be host:port, got '\(address)'")
    }
    return connection
  }

  /// Connects and runs `body`, printing gRPC errors readably (with field violations) and exiting 1.
  func run<T: Sendable>(requiresIdentity: Bool, _ body: (RegistryClients) async throws -> T)
    async throws -> T
  {
    let connection = try connection(requiresIdentity: requiresIdentity)
    do {
      return try await connection.withClients(body)
    } catch let error as RPCError {
      FileHandle.standardError.write(Data((ErrorReport.describe(error) + "\n").utf8))
      throw ExitCode.failure
    }
  }
}

/// A request id for a write: given, or a fresh one (then a retry of the same command is a new write).
struct RequestIdOption: ParsableArguments {
  @Option(help: "Request id for idempotent retries (default: a new UUID).")
  var requestId: String = UUID().uuidString
}
