import Foundation
import Testing

@testable import OverdueNotify

/// The SMTP channel against a scripted server on loopback: the dialogue, TLS, AUTH, the reply
/// mapping and the connection pool.
@Suite("SMTP dialogue against a scripted server")
struct SMTPDialogueTests {
  static let date = Date(timeIntervalSince1970: 1_795_000_000)

  static func message(
    _ number: Int = 1, to: String = "ravi@example.in", subject: String = "Payment overdue"
  ) -> EmailMessage {
    EmailMessage(
      messageId: "0192f3a4-\(number)@overdue.registry", to: to, subject: subject,
      text: "Namaste,\n.a line that starts with a dot\nबकाया राशि: ₹ 12,000",
      html: "<p>बकाया राशि: <b>₹ 12,000</b></p>", date: date)
  }

  /// A channel for `server`, TLS trusting `pki`'s CA when given, credentials when `url` has them.
  static func channel(
    for server: ScriptedSMTPServer, pki: TestPKI?, user: String? = "mailer%40overdue:s%3Acret",
    host: String = "127.0.0.1", configure: (inout SMTPConfiguration) -> Void = { _ in }
  ) throws -> SMTPChannel {
    let credentials = user.map { "\($0)@" } ?? ""
    let configuration = try SMTPConfiguration(
      url: "smtp://\(credentials)\(host):\(server.port)", from: "registry@overdue.test"
    ) {
      $0.extraTrustRootsPEMFile = pki?.caFile
      $0.starttls = pki == nil ? .off : .required
      $0.stepTimeout = .seconds(5)
      configure(&$0)
    }
    return try SMTPChannel(configuration: configuration)
  }

  /// Runs `body` with a server using `script` (STARTTLS with a fresh test CA unless `tls` is
  /// false) and a channel for it; shuts both down afterwards.
  static func with(
    _ script: ScriptedSMTPServer.Script = .init(), tls: Bool = true,
    user: String? = "mailer%40overdue:s%3Acret", host: String = "127.0.0.1",
    configure: (inout SMTPConfiguration) -> Void = { _ in },
    _ body: (SMTPChannel, ScriptedSMTPServer) async throws -> Void
  ) async throws {
    let pki = tls ? try TestPKI.make() : nil
    defer { pki?.remove() }
    let server = try await ScriptedSMTPServer.start(script, tls: pki?.identity)
    let channel = try Self.channel(
      for: server, pki: pki, user: user, host: host, configure: configure)
    do {
      try await body(channel, server)
    } catch {
      await channel.shutdown()
      await server.stop()
      throw error
    }
    await channel.shutdown()
    await server.stop()
  }

  static func isTemporary(_ result: DeliveryResult) -> Bool {
    if case .temporaryFailure = result { return true }
    return false
  }

  static func detail(_ result: DeliveryResult) -> String {
    switch result {
    case .delivered(let detail), .permanentFailure(let detail), .gone(let detail): detail
    case .temporaryFailure(let detail, _): detail
    }
  }

  @Test func aMessageGoesOutOverSTARTTLSWithAuthPlain() async throws {
    try await Self.with { channel, server in
      let message = Self.message(subject: "Überfällig: Zahlung von ₹ 12 000 — Sharma Steel")
      let result = await channel.deliver(message)
      #expect(result == .delivered(detail: "250 2.0.0 Ok: queued as 42"))

      let commands = server.commands
      #expect(commands.filter { $0.hasPrefix("EHLO overdue.registry") }.count == 2)
      #expect(commands.prefix(3) == ["EHLO overdue.registry", "STARTTLS", "EHLO overdue.registry"])
      let plain = Data("\u{0}mailer@overdue\u{0}s:cret".utf8).base64EncodedString()
      #expect(commands.contains("AUTH PLAIN \(plain)"))
      #expect(commands.contains { $0.hasPrefix("MAIL FROM:<registry@overdue.test> SIZE=") })
      #expect(commands.contains("RCPT TO:<ravi@example.in>"))
      #expect(commands.contains("DATA"))
      // Everything after STARTTLS, credentials above all, came over TLS.
      let lines = server.lines
      let startTLS = try #require(lines.firstIndex { $0.text == "STARTTLS" })
      #expect(lines[..<startTLS].allSatisfy { !$0.overTLS })
      #expect(lines[(startTLS + 1)...].allSatisfy { $0.overTLS })

      let received = try #require(server.messages.first)
      let mail = try ParsedMail(received)
      #expect(mail.header("Message-ID") == "<0192f3a4-1@overdue.registry>")
      #expect(mail.header("Date") == "Wed, 18 Nov 2026 11:06:40 +0000")
      #expect(mail.header("From") == "registry@overdue.test")
      #expect(mail.header("To") == "ravi@example.in")
      let subject = try #require(mail.header("Subject"))
      #expect(subject.hasPrefix("=?UTF-8?B?"))
      #expect(try ParsedMail.decodeEncodedWords(subject) == message.subject)
      #expect(mail.header("MIME-Version") == "1.0")
      let parts = try mail.parts()
      #expect(parts.count == 2)
      #expect(parts.first?.contentType == "text/plain; charset=utf-8")
      #expect(parts.first?.body == message.text.replacingOccurrences(of: "\n", with: "\r\n"))
      #expect(parts.last?.contentType == "text/html; charset=utf-8")
      #expect(parts.last?.body == message.html)
    }
  }

  @Test func aLineStartingWithADotIsStuffedOnTheWire() async throws {
    try await Self.with { channel, server in
      let data = "Subject: dots\r\n\r\n.one dot\r\n..two dots\nplain\r\n."
      let result = await channel.deliver(data: data, to: "ravi@example.in")
      #expect(result == .delivered(detail: "250 2.0.0 Ok: queued as 42"))
      let raw = server.lines.map(\.text)
      #expect(raw.contains("..one dot"))
      #expect(raw.contains("...two dots"))
      // The lone dot of the content is stuffed; only the terminator is a bare dot.
      #expect(raw.filter { $0 == "." }.count == 1)
      #expect(raw.contains(".."))
      #expect(
        server.messages == ["Subject: dots\r\n\r\n.one dot\r\n..two dots\r\nplain\r\n.\r\n"])
    }
  }

  @Test func authLoginIsUsedWhenPlainIsNotOffered() async throws {
    var script = ScriptedSMTPServer.Script()
    script.authMechanisms = ["LOGIN", "CRAM-MD5"]
    // By name, so the certificate is checked against the DNS name sent in SNI.
    try await Self.with(script, host: "localhost") { channel, server in
      let result = await channel.deliver(Self.message())
      #expect(result == .delivered(detail: "250 2.0.0 Ok: queued as 42"))
      let commands = server.commands
      let login = try #require(commands.firstIndex(of: "AUTH LOGIN"))
      #expect(commands[login + 1] == Data("mailer@overdue".utf8).base64EncodedString())
      #expect(commands[login + 2] == Data("s:cret".utf8).base64EncodedString())
      #expect(!commands.contains { $0.hasPrefix("AUTH PLAIN") })
    }
  }

  @Test func aTemporaryRefusalOfTheRecipientIsATemporaryFailureAndTheConnectionStays()
    async throws
  {
    var script = ScriptedSMTPServer.Script()
    script.replies["RCPT"] = ["451 4.7.1 Greylisted, try again later"]
    try await Self.with(script) { channel, server in
      let first = await channel.deliver(Self.message(1))
      #expect(
        first
          == .temporaryFailure(
            detail: "451 4.7.1 Greylisted, try again later (reply to RCPT)", retryAfter: nil))
      #expect(server.commands.contains("RSET"))
      let second = await channel.deliver(Self.message(2))
      #expect(second == .delivered(detail: "250 2.0.0 Ok: queued as 42"))
      #expect(server.connections == 1)
    }
  }

  @Test func aPermanentRefusalOfTheSenderIsAPermanentFailure() async throws {
    var script = ScriptedSMTPServer.Script()
    script.replies["MAIL"] = ["550 5.7.1 Sender address rejected"]
    try await Self.with(script) { channel, server in
      let result = await channel.deliver(Self.message())
      #expect(
        result == .permanentFailure(detail: "550 5.7.1 Sender address rejected (reply to MAIL)"))
      #expect(!server.commands.contains { $0.hasPrefix("RCPT") })
    }
  }

  @Test func aPermanentRefusalAtTheEndOfDataIsAPermanentFailure() async throws {
    var script = ScriptedSMTPServer.Script()
    script.replies["."] = ["554 5.6.0 Message content rejected"]
    try await Self.with(script) { channel, _ in
      let result = await channel.deliver(Self.message())
      #expect(
        result
          == .permanentFailure(detail: "554 5.6.0 Message content rejected (reply to end of data)"))
    }
  }

  @Test func aConnectionDroppedInTheMiddleOfDataIsATemporaryFailure() async throws {
    var script = ScriptedSMTPServer.Script()
    script.dropsInData = true
    try await Self.with(script) { channel, server in
      let result = await channel.deliver(Self.message())
      #expect(Self.isTemporary(result), "\(result)")
      #expect(Self.detail(result).contains("end of data"), "\(result)")
      #expect(server.messages.isEmpty)
      // The broken connection is dropped: the next message gets a new one.
      _ = await channel.deliver(Self.message(2))
      #expect(server.connections == 2)
    }
  }

  @Test func startTLSRequiredButNotOfferedSendsNoCredentials() async throws {
    var script = ScriptedSMTPServer.Script()
    script.offersSTARTTLS = false
    try await Self.with(script) { channel, server in
      let result = await channel.deliver(Self.message())
      #expect(Self.isTemporary(result), "\(result)")
      #expect(Self.detail(result).contains("does not offer STARTTLS"))
      #expect(!server.commands.contains { $0.uppercased().hasPrefix("AUTH") })
      #expect(!server.commands.contains { $0.hasPrefix("MAIL") })
    }
  }

  @Test func startTLSRefusedSendsNoCredentials() async throws {
    var script = ScriptedSMTPServer.Script()
    script.replies["STARTTLS"] = ["454 4.7.0 TLS not available due to temporary reason"]
    try await Self.with(script) { channel, server in
      let result = await channel.deliver(Self.message())
      #expect(Self.isTemporary(result), "\(result)")
      #expect(Self.detail(result).contains("454 4.7.0 TLS not available"))
      #expect(!server.commands.contains { $0.uppercased().hasPrefix("AUTH") })
    }
  }

  @Test func aCertificateFromAnUntrustedCAIsRefusedBeforeCredentials() async throws {
    let pki = try TestPKI.make()
    defer { pki.remove() }
    let server = try await ScriptedSMTPServer.start(tls: pki.identity)
    // No extra trust roots: the system roots do not know the test CA.
    let channel = try Self.channel(for: server, pki: pki) { $0.extraTrustRootsPEMFile = nil }
    let result = await channel.deliver(Self.message())
    #expect(Self.isTemporary(result), "\(result)")
    #expect(Self.detail(result).contains("TLS"), "\(result)")
    #expect(!server.lines.contains { $0.text.uppercased().hasPrefix("AUTH") })
    await channel.shutdown()
    await server.stop()
  }

  @Test func aCertificateForAnotherAddressIsRefused() async throws {
    let pki = try TestPKI.make(dnsNames: ["mail.example.in"], ipAddresses: ["127.0.0.2"])
    defer { pki.remove() }
    let server = try await ScriptedSMTPServer.start(tls: pki.identity)
    let channel = try Self.channel(for: server, pki: pki)
    let result = await channel.deliver(Self.message())
    #expect(Self.isTemporary(result), "\(result)")
    #expect(!server.lines.contains { $0.text.uppercased().hasPrefix("AUTH") })
    await channel.shutdown()
    await server.stop()
  }

  @Test func aServerThatNeverAnswersTimesOut() async throws {
    var script = ScriptedSMTPServer.Script()
    script.isSilent = true
    try await Self.with(script, configure: { $0.stepTimeout = .milliseconds(500) }) {
      channel, _ in
      let started = ContinuousClock.now
      let result = await channel.deliver(Self.message())
      let elapsed = ContinuousClock.now - started
      #expect(
        result
          == .temporaryFailure(
            detail: "timed out waiting for the greeting after 0.5 s", retryAfter: nil))
      #expect(elapsed >= .milliseconds(450) && elapsed < .seconds(3), "\(elapsed)")
    }
  }

  @Test func aServerThatStopsAnsweringAtRCPTTimesOutNamingTheStep() async throws {
    var script = ScriptedSMTPServer.Script()
    script.silentFrom = "RCPT"
    try await Self.with(script, configure: { $0.stepTimeout = .milliseconds(500) }) {
      channel, server in
      let result = await channel.deliver(Self.message())
      #expect(
        result
          == .temporaryFailure(
            detail: "timed out waiting for the reply to RCPT after 0.5 s", retryAfter: nil))
      // The connection that timed out is not reused.
      #expect(Self.isTemporary(await channel.deliver(Self.message(2))))
      #expect(server.connections == 2)
    }
  }

  @Test func nothingListeningIsATemporaryFailure() async throws {
    // Bind a port, then close it, so nothing listens there.
    let server = try await ScriptedSMTPServer.start()
    await server.stop()
    let channel = try Self.channel(for: server, pki: nil, user: nil)
    let result = await channel.deliver(Self.message())
    #expect(Self.isTemporary(result), "\(result)")
    #expect(Self.detail(result).hasPrefix("cannot connect to 127.0.0.1:\(server.port)"))
    await channel.shutdown()
  }

  @Test func twoMessagesShareOneConnection() async throws {
    try await Self.with { channel, server in
      #expect(
        await channel.deliver(Self.message(1)) == .delivered(detail: "250 2.0.0 Ok: queued as 42"))
      #expect(
        await channel.deliver(Self.message(2)) == .delivered(detail: "250 2.0.0 Ok: queued as 42"))
      #expect(server.connections == 1)
      #expect(server.messages.count == 2)
      #expect(server.commands.filter { $0.hasPrefix("EHLO") }.count == 2)
      #expect(server.commands.filter { $0.hasPrefix("AUTH") }.count == 1)
    }
  }

  @Test func aPooledConnectionTheServerClosedIsReplaced() async throws {
    var script = ScriptedSMTPServer.Script()
    script.closesAfterMessage = true
    try await Self.with(script) { channel, server in
      for number in 1...3 {
        #expect(
          await channel.deliver(Self.message(number))
            == .delivered(detail: "250 2.0.0 Ok: queued as 42"))
      }
      #expect(server.connections == 3)
    }
  }

  @Test func a421AtMailOnAReusedConnectionIsRetriedOnANewOne() async throws {
    var script = ScriptedSMTPServer.Script()
    script.replies["MAIL"] = ["250 2.1.0 Ok", "421 4.4.2 Idle too long, closing"]
    try await Self.with(script) { channel, server in
      #expect(
        await channel.deliver(Self.message(1)) == .delivered(detail: "250 2.0.0 Ok: queued as 42"))
      #expect(
        await channel.deliver(Self.message(2)) == .delivered(detail: "250 2.0.0 Ok: queued as 42"))
      #expect(server.connections == 2)
      #expect(server.messages.count == 2)
    }
  }

  @Test func a421AtMailOnAFreshConnectionIsATemporaryFailure() async throws {
    var script = ScriptedSMTPServer.Script()
    script.replies["MAIL"] = ["421 4.3.2 Service shutting down"]
    try await Self.with(script) { channel, server in
      #expect(
        await channel.deliver(Self.message())
          == .temporaryFailure(
            detail: "421 4.3.2 Service shutting down (reply to MAIL)", retryAfter: nil))
      #expect(server.connections == 1)
    }
  }

  @Test func aConnectionIsReplacedAfterItsMessageAllowance() async throws {
    try await Self.with(configure: { $0.messagesPerConnection = 2 }) { channel, server in
      for number in 1...5 {
        #expect(
          await channel.deliver(Self.message(number))
            == .delivered(detail: "250 2.0.0 Ok: queued as 42"))
      }
      #expect(server.connections == 3)
      #expect(server.commands.filter { $0 == "QUIT" }.count == 2)
    }
  }

  @Test func concurrentDeliveriesShareThePool() async throws {
    try await Self.with(configure: {
      $0.connections = 2
      $0.messagesPerConnection = 1000
    }) { channel, server in
      let count = 300
      let started = ContinuousClock.now
      let results = await withTaskGroup(of: DeliveryResult.self) { group in
        for number in 0..<count {
          group.addTask { await channel.deliver(Self.message(number)) }
        }
        return await group.reduce(into: []) { $0.append($1) }
      }
      let elapsed = ContinuousClock.now - started
      #expect(results.count == count)
      #expect(results.allSatisfy { $0 == .delivered(detail: "250 2.0.0 Ok: queued as 42") })
      #expect(server.connections == 2)
      #expect(server.messages.count == count)
      print("SMTP: \(count) messages over \(server.connections) connections in \(elapsed)")
    }
  }

  @Test func plainSMTPWorksWhenSTARTTLSIsOff() async throws {
    var script = ScriptedSMTPServer.Script()
    script.offersSTARTTLS = false
    script.authMechanisms = []
    try await Self.with(script, tls: false, user: nil) { channel, server in
      let result = await channel.deliver(Self.message())
      #expect(result == .delivered(detail: "250 2.0.0 Ok: queued as 42"))
      #expect(!server.commands.contains("STARTTLS"))
      #expect(!server.commands.contains { $0.hasPrefix("AUTH") })
      #expect(server.commands.filter { $0.hasPrefix("EHLO") }.count == 1)
    }
  }

  @Test func aSubjectWithALineBreakCannotInjectAHeader() async throws {
    try await Self.with { channel, server in
      let message = Self.message(subject: "Invoice\r\nBcc: victim@example.com")
      #expect(await channel.deliver(message) == .delivered(detail: "250 2.0.0 Ok: queued as 42"))
      let received = try #require(server.messages.first)
      let lines = received.components(separatedBy: "\r\n")
      #expect(!lines.contains { $0.lowercased().hasPrefix("bcc:") })
      #expect(try ParsedMail(received).header("Subject") == "Invoice  Bcc: victim@example.com")
    }
  }

  @Test func aRecipientWithALineBreakIsRefusedAndNothingIsSent() async throws {
    try await Self.with { channel, server in
      let result = await channel.deliver(
        Self.message(to: "ravi@example.in>\r\nRCPT TO:<victim@example.com"))
      guard case .permanentFailure(let detail) = result else {
        Issue.record("expected a permanent failure, got \(result)")
        return
      }
      #expect(detail.contains("recipient address"))
      #expect(server.connections == 0)
    }
  }

  @Test func shutdownQuitsIdleConnectionsAndRefusesNewMessages() async throws {
    let pki = try TestPKI.make()
    defer { pki.remove() }
    let server = try await ScriptedSMTPServer.start(tls: pki.identity)
    let channel = try Self.channel(for: server, pki: pki)
    #expect(
      await channel.deliver(Self.message()) == .delivered(detail: "250 2.0.0 Ok: queued as 42"))
    await channel.shutdown()
    #expect(server.commands.last == "QUIT")
    #expect(await channel.pool.takenCount == 0)
    #expect(Self.isTemporary(await channel.deliver(Self.message(2))))
    await server.stop()
  }
}
