import GRPCCore
public import OverdueAPI

extension RegistryClients {
  /// Streams `items` to `Lookup.BatchCheck` in messages of `chunkSize` items while results come
  /// back; `onResults` sees each answered message's results in order. Sending and receiving run
  /// together, so memory stays bounded by what flow control lets be in flight.
  public func batchCheck<Items: AsyncSequence & Sendable>(
    _ items: Items, chunkSize: Int,
    onResults: @escaping @Sendable ([Overdue_V1_BatchResult]) async throws -> Void
  ) async throws where Items.Element == Overdue_V1_BatchItem {
    try await lookup.batchCheck(
      requestProducer: { writer in
        var chunk = Overdue_V1_BatchCheckRequest()
        chunk.items.reserveCapacity(chunkSize)
        for try await item in items {
          chunk.items.append(item)
          if chunk.items.count == chunkSize {
            try await writer.write(chunk)
            chunk.items.removeAll(keepingCapacity: true)
          }
        }
        if !chunk.items.isEmpty { try await writer.write(chunk) }
      },
      onResponse: { response in
        for try await message in response.messages {
          try await onResults(message.results)
        }
      })
  }
}
