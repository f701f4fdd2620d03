import Foundation
import NIOCore
import Testing

@testable import OverdueNotify

/// Composition and the wire encoding without a server: what goes after `DATA`.
@Suite("SMTP message composition")
struct SMTPCompositionTests {
  static let message = EmailMessage(
    messageId: "0192f3a4-7c1e@overdue.registry", to: "ravi@example.in",
    subject: "Payment overdue", text: "Hello\nworld", html: "<p>Hello</p>",
    date: Date(timeIntervalSince1970: 1_795_000_000))

  static func encoded(_ text: String) -> String {
    String(decoding: SMTPDataEncoding.encode(text.utf8), as: UTF8.self)
  }

  @Test func linesStartingWithADotAreStuffedAndTheDataIsTerminated() {
    #expect(Self.encoded(".hidden\r\nok\r\n") == "..hidden\r\nok\r\n.\r\n")
    #expect(Self.encoded("a\n.b\r\n..c\rd") == "a\r\n..b\r\n...c\r\nd\r\n.\r\n")
    #expect(Self.encoded(".") == "..\r\n.\r\n")
    #expect(Self.encoded("no final break") == "no final break\r\n.\r\n")
    #expect(Self.encoded("") == ".\r\n")
    // A dot inside a line is left alone.
    #expect(Self.encoded("a.b\r\n") == "a.b\r\n.\r\n")
  }

  @Test func aComposedMessageIsTheSameBytesOnEveryAttempt() throws {
    let composer = MailComposer(from: "registry@overdue.test")
    let first = try composer.compose(Self.message)
    #expect(try composer.compose(Self.message) == first)
    var other = Self.message
    other.messageId = "0192f3a4-7c1f@overdue.registry"
    #expect(
      MailComposer.boundary(for: Self.message.messageId)
        != MailComposer.boundary(for: other.messageId))
    #expect(first.contains("Date: Wed, 18 Nov 2026 11:06:40 +0000\r\n"))
    #expect(first.contains("Message-ID: <0192f3a4-7c1e@overdue.registry>\r\n"))
    #expect(first.contains("Subject: Payment overdue\r\n"))
    // CRLF everywhere, no bare LF or CR, every line short and ASCII.
    #expect(!first.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
    #expect(!first.replacingOccurrences(of: "\r\n", with: "").contains("\r"))
    #expect(first.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 78 })
    #expect(first.utf8.allSatisfy { $0 < 0x80 })
  }

  @Test func bothPartsDecodeToTheTextInCanonicalForm() throws {
    var message = Self.message
    message.text = String(repeating: "बकाया राशि ₹ 12,000 — ", count: 20) + "\nend"
    message.html = "<p>" + String(repeating: "Überfällig ", count: 30) + "</p>"
    let mail = try ParsedMail(MailComposer(from: "registry@overdue.test").compose(message))
    let parts = try mail.parts()
    #expect(parts.map(\.transferEncoding) == ["base64", "base64"])
    #expect(parts.first?.body == message.text.replacingOccurrences(of: "\n", with: "\r\n"))
    #expect(parts.last?.body == message.html)
    #expect(
      mail.header("Content-Type")
        == "multipart/alternative; boundary=\"\(MailComposer.boundary(for: message.messageId))\"")
  }

  @Test(arguments: [
    "Überfällig",
    "बकाया भुगतान की सूचना: शर्मा स्टील प्राइवेट लिमिटेड, चालान संख्या 2024/117, राशि ₹ 1,20,000",
    String(repeating: "👨‍👩‍👧‍👦", count: 12),
    String(repeating: "é", count: 200),
  ])
  func nonASCIISubjectsBecomeEncodedWordsOfAtMost75Characters(subject: String) throws {
    let header = MailComposer.subjectHeader(subject)
    let lines = header.components(separatedBy: "\r\n")
    #expect(lines.allSatisfy { $0.count <= 76 }, "\(lines)")
    #expect(lines[0].hasPrefix("Subject: =?UTF-8?B?"))
    #expect(lines.dropFirst().allSatisfy { $0.hasPrefix(" =?UTF-8?B?") })
    let value = String(header.dropFirst("Subject: ".count)).replacingOccurrences(
      of: "\r\n", with: "")
    // decodeEncodedWords also checks that every word is at most 75 characters and whole
    // characters on its own.
    #expect(try ParsedMail.decodeEncodedWords(value) == subject)
  }

  @Test func encodedWordsSplitOnlyBetweenScalars() {
    let words = EncodedWord.encode(String(repeating: "€", count: 40))
    #expect(words.count > 1)
    for word in words {
      #expect(word.count <= EncodedWord.maximumLength)
      let data = Data(base64Encoded: String(word.dropFirst(10).dropLast(2)))
      #expect(data.map { $0.count % 3 == 0 } == true, "\(word)")
    }
  }

  @Test func plainASCIISubjectsStayReadableAndFold() {
    #expect(MailComposer.subjectHeader("Payment overdue") == "Subject: Payment overdue")
    let long = Array(repeating: "overdue", count: 30).joined(separator: " ")
    let header = MailComposer.subjectHeader(long)
    let lines = header.components(separatedBy: "\r\n")
    #expect(lines.count > 1)
    #expect(lines.allSatisfy { $0.count <= 78 })
    #expect(lines.dropFirst().allSatisfy { $0.hasPrefix(" ") })
    #expect(lines.joined() == "Subject: " + long)
    // Text that looks like an encoded-word is encoded, so no reader decodes it.
    #expect(MailComposer.subjectHeader("=?UTF-8?B?SGk=?=").hasPrefix("Subject: =?UTF-8?B?"))
  }

  @Test func lineBreaksInTheSubjectNeverReachTheWire() throws {
    for subject in ["Invoice\r\nBcc: victim@example.com", "a\nb", "a\rb", "Überfällig\r\nBcc: x@y"]
    {
      let header = MailComposer.subjectHeader(subject)
      // A line break is only ever a fold: followed by a space.
      let folds = header.components(separatedBy: "\r\n")
      #expect(folds.dropFirst().allSatisfy { $0.hasPrefix(" ") }, "\(folds)")
      #expect(!header.replacingOccurrences(of: "\r\n ", with: "").contains("\r"))
      #expect(!header.replacingOccurrences(of: "\r\n ", with: "").contains("\n"))
    }
    #expect(MailComposer.subjectHeader("a\r\nb") == "Subject: a  b")
  }

  @Test(arguments: [
    "ravi@example.in\r\nBcc: victim@example.com", "ravi@example.in>", "<ravi@example.in",
    "ravi @example.in", "ravi", "@example.in", "ravi@", "", "ravi@exämple.in",
  ])
  func unusableRecipientsAreRefused(to: String) {
    var message = Self.message
    message.to = to
    #expect(throws: MailCompositionError.self) {
      try MailComposer(from: "registry@overdue.test").compose(message)
    }
  }

  @Test func anUnusableSenderOrMessageIdIsRefused() {
    #expect(throws: MailCompositionError.self) {
      try MailComposer(from: "registry@overdue.test\r\nBcc: x@y").compose(Self.message)
    }
    var message = Self.message
    message.messageId = "abc>\r\nBcc: x@y"
    #expect(throws: MailCompositionError.self) {
      try MailComposer(from: "registry@overdue.test").compose(message)
    }
  }

  @Test func base64LinesAreAtMost76Characters() {
    let lines = MailComposer.base64Lines(Data(repeating: 0xA5, count: 1000))
    #expect(lines.dropLast().allSatisfy { $0.count == 76 })
    #expect((lines.last?.count ?? 0) <= 76)
    #expect(Data(base64Encoded: lines.joined()) == Data(repeating: 0xA5, count: 1000))
  }

  @Test func datesAreRFC5322InUTC() {
    #expect(MailDate.format(Date(timeIntervalSince1970: 0)) == "Thu, 01 Jan 1970 00:00:00 +0000")
    #expect(
      MailDate.format(Date(timeIntervalSince1970: 1_709_251_199))
        == "Thu, 29 Feb 2024 23:59:59 +0000")
  }
}

/// Replies and EHLO extensions as the client reads them.
@Suite("SMTP replies and extensions")
struct SMTPReplyTests {
  static func replies(_ text: String) throws -> [SMTPReply] {
    var parser = SMTPReplyParser()
    parser.append(ByteBuffer(string: text))
    var result: [SMTPReply] = []
    while let reply = try parser.nextReply() { result.append(reply) }
    return result
  }

  @Test func multiLineRepliesAreCollectedWhole() throws {
    let replies = try Self.replies(
      "250-mx.example.in\r\n250-STARTTLS\r\n250-AUTH=LOGIN\r\n250-AUTH PLAIN LOGIN\r\n"
        + "250-SIZE 1000\r\n250 8BITMIME\r\n354 go\n221")
    #expect(replies.map(\.code) == [250, 354])
    let extensions = SMTPExtensions(ehloReply: replies[0])
    #expect(extensions.startTLS)
    #expect(extensions.authMechanisms == ["PLAIN", "LOGIN"])
    #expect(extensions.maximumSize == 1000)
    #expect(extensions.eightBitMIME)
    #expect(replies[1].description == "354 go")
  }

  @Test func aReplySplitAcrossReadsWaitsForItsEnd() throws {
    var parser = SMTPReplyParser()
    parser.append(ByteBuffer(string: "250-first\r\n250 sec"))
    #expect(try parser.nextReply() == nil)
    #expect(parser.hasPendingBytes)
    parser.append(ByteBuffer(string: "ond\r\n"))
    #expect(try parser.nextReply() == SMTPReply(code: 250, lines: ["first", "second"]))
    #expect(!parser.hasPendingBytes)
  }

  @Test(arguments: ["hello\r\n", "25\r\n", "250x\r\n", "250-a\r\n251 b\r\n", "650 no\r\n"])
  func linesThatAreNotRepliesAreRefused(text: String) {
    #expect(throws: SMTPFailure.self) { _ = try Self.replies(text) }
  }

  @Test func anEndlessLineIsRefused() {
    #expect(throws: SMTPFailure.self) {
      _ = try Self.replies(String(repeating: "2", count: SMTPReplyParser.maximumLineLength + 10))
    }
  }

  @Test func detailsAreTrimmedAndPrintable() {
    let detail = SMTPDetail.trimmed("550 " + String(repeating: "x", count: 1000) + "\r\nBcc")
    #expect(detail.count == SMTPDetail.maximumLength)
    #expect(!detail.contains("\r"))
    #expect(SMTPDetail.trimmed("451 a\r\nb") == "451 a??b")
    #expect(SMTPFailure.seconds(.seconds(30)) == "30 s")
    #expect(SMTPFailure.seconds(.milliseconds(500)) == "0.5 s")
  }
}

/// The `smtp://` URL and the settings around it.
@Suite("SMTP configuration")
struct SMTPConfigurationTests {
  @Test func aURLGivesHostPortAndPercentDecodedCredentials() throws {
    let configuration = try SMTPConfiguration(
      url: "smtp://mailer%40overdue:p%40ss%3Aw%2Fd@mail.example.in:2525", from: "r@overdue.test")
    #expect(configuration.host == "mail.example.in")
    #expect(configuration.port == 2525)
    #expect(configuration.username == "mailer@overdue")
    #expect(configuration.password == "p@ss:w/d")
    #expect(configuration.starttls == .required)
    #expect(configuration.heloName == "overdue.registry")
    #expect(configuration.stepTimeout == .seconds(30))
    #expect(configuration.connections == 2)
    #expect(configuration.messagesPerConnection == 100)
    #expect(!configuration.description.contains("p@ss"))
  }

  @Test func noUserMeansNoAuthAndThePortDefaultsTo587() throws {
    let configuration = try SMTPConfiguration(url: "smtp://relay.local", from: "r@overdue.test")
    #expect(configuration.port == 587)
    #expect(configuration.username == nil)
    #expect(configuration.password == nil)
    let ipv6 = try SMTPConfiguration(url: "smtp://[::1]:25", from: "r@overdue.test")
    #expect(ipv6.host == "::1")
  }

  @Test(arguments: [
    ("smtps://relay.local", "scheme"),
    ("http://relay.local", "scheme"),
    ("smtp://", "host"),
    ("smtp://relay.local:0", "port"),
    ("smtp://relay.local:70000", "port"),
    ("smtp://user@relay.local", "no password"),
    ("smtp://:secret@relay.local", "without a user"),
    ("smtp://relay.local/path", "path"),
    ("not a url at all", "scheme"),
  ])
  func badURLsAreRefusedSayingWhy(url: String, reason: String) {
    do {
      _ = try SMTPConfiguration(url: url, from: "r@overdue.test")
      Issue.record("\(url) was accepted")
    } catch let error as SMTPConfigurationError {
      #expect(error.code == .invalidURL, "\(error)")
      #expect(error.message.contains(reason), "\(error)")
      #expect(!error.message.contains("secret"))
    } catch {
      Issue.record("unexpected \(error)")
    }
  }

  @Test func badSettingsAreRefused() {
    #expect(throws: SMTPConfigurationError.self) {
      try SMTPConfiguration(url: "smtp://relay.local", from: "not an address")
    }
    #expect(throws: SMTPConfigurationError.self) {
      try SMTPConfiguration(url: "smtp://relay.local", from: "r@overdue.test") {
        $0.connections = 0
      }
    }
    #expect(throws: SMTPConfigurationError.self) {
      try SMTPConfiguration(url: "smtp://relay.local", from: "r@overdue.test") {
        $0.heloName = "bad name\r\n"
      }
    }
  }

  @Test func aMissingTrustRootsFileIsRefusedAtStart() throws {
    let configuration = try SMTPConfiguration(url: "smtp://relay.local", from: "r@overdue.test") {
      $0.extraTrustRootsPEMFile = "/nonexistent/ca.pem"
    }
    #expect(throws: SMTPConfigurationError.self) { try SMTPChannel(configuration: configuration) }
  }
}
