import OverdueAPI
public import OverdueCore
import SwiftProtobuf

/// The member listener's way from the bytes of a `FileDefault` request to a domain filing, apart
/// from the transport, so it can be fuzzed. Bad input throws; nothing crashes.
public enum FilingRequestDecoder {
  public static func filing(fromRequestBytes bytes: [UInt8], listingId: String) throws -> Filing {
    let request = try Overdue_V1_FileDefaultRequest(serializedBytes: bytes)
    return try RequestParsing.filing(request, listingId: listingId).filing
  }
}
