import GRPCCore

/// A server transport whose every stream runs under a `CallSupervisor`: the outermost wrapper,
/// so a call is counted from its first byte to its end whatever happens inside the server.
struct SupervisedTransport<Base: ServerTransport>: ServerTransport {
  typealias Bytes = Base.Bytes

  let base: Base
  let supervisor: CallSupervisor

  func listen(
    streamHandler: @escaping @Sendable (RPCStream<Inbound, Outbound>, ServerContext) async -> Void
  ) async throws {
    try await base.listen { [supervisor] stream, context in
      await supervisor.supervise(stream, context: context, handler: streamHandler)
    }
  }

  func configure(context: GRPCServerContext) {
    base.configure(context: context)
  }

  func beginGracefulShutdown() {
    base.beginGracefulShutdown()
  }
}
