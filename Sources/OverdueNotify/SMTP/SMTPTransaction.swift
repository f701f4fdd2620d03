import NIOCore

/// How one mail transaction went, and whether its connection can carry another.
struct SMTPTransactionOutcome: Sendable {
  var result: DeliveryResult
  var connectionReusable: Bool
  /// The server took nothing of the message (the connection failed at `MAIL`, or said `421`):
  /// on a reused connection that usually only means it had gone stale, and a new one may try.
  var failedBeforeMail = false
}

extension SMTPSession {
  /// `MAIL FROM`, `RCPT TO`, `DATA` and the message (`data` already encoded and ended by
  /// `SMTPDataEncoding`). A 4xx reply is a temporary failure, a 5xx a permanent one (followed by
  /// `RSET` so the connection stays usable); anything at the connection level is temporary.
  func transact(from sender: String, to recipient: String, data: ByteBuffer) async
    -> SMTPTransactionOutcome
  {
    var step = SMTPStep.mail
    do {
      var mail = "MAIL FROM:<\(sender)>"
      if extensions.maximumSize != nil { mail += " SIZE=\(data.readableBytes)" }
      let mailReply = try await connection.send(mail, step: .mail)
      guard mailReply.isPositiveCompletion else {
        var outcome = await refused(mailReply, at: .mail)
        outcome.failedBeforeMail = mailReply.code == 421
        return outcome
      }
      step = .rcpt
      let rcptReply = try await connection.send("RCPT TO:<\(recipient)>", step: .rcpt)
      guard rcptReply.isPositiveCompletion else { return await refused(rcptReply, at: .rcpt) }
      step = .data
      let dataReply = try await connection.send("DATA", step: .data)
      guard dataReply.code == 354 else { return await refused(dataReply, at: .data) }
      step = .endOfData
      let finalReply = try await connection.exchange(data, step: .endOfData)
      guard finalReply.isPositiveCompletion else {
        return await refused(finalReply, at: .endOfData)
      }
      return SMTPTransactionOutcome(
        result: .delivered(detail: SMTPDetail.trimmed(finalReply.description)),
        connectionReusable: true)
    } catch {
      return SMTPTransactionOutcome(
        result: .temporaryFailure(detail: SMTPDetail.trimmed(error.detail), retryAfter: nil),
        connectionReusable: false, failedBeforeMail: step == .mail)
    }
  }

  /// The result of a refusing reply; resets the transaction when the connection is still good.
  private func refused(_ reply: SMTPReply, at step: SMTPStep) async -> SMTPTransactionOutcome {
    let detail = SMTPDetail.trimmed("\(reply) (reply to \(step))")
    let result: DeliveryResult
    if reply.isPermanentFailure {
      result = .permanentFailure(detail: detail)
    } else if reply.isTransientFailure {
      result = .temporaryFailure(detail: detail, retryAfter: nil)
    } else {
      // A 2xx to DATA, a 3xx to MAIL: the server does not follow the protocol.
      return SMTPTransactionOutcome(
        result: .temporaryFailure(detail: "unexpected \(detail)", retryAfter: nil),
        connectionReusable: false)
    }
    // 421: the server is closing the connection.
    guard reply.code != 421 else {
      return SMTPTransactionOutcome(result: result, connectionReusable: false)
    }
    let reset = try? await connection.send("RSET", step: .rset)
    return SMTPTransactionOutcome(
      result: result, connectionReusable: reset?.isPositiveCompletion ?? false)
  }
}
