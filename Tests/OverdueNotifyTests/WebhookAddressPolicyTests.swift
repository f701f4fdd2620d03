import Testing

@testable import OverdueNotify

@Suite("Which addresses a webhook may call")
struct WebhookAddressPolicyTests {
  static let table: [(String, IPAddressScope)] = [
    ("127.0.0.1", .loopback), ("127.255.255.254", .loopback), ("::1", .loopback),
    ("0.0.0.0", .unspecified), ("0.1.2.3", .unspecified), ("::", .unspecified),
    ("169.254.169.254", .linkLocal), ("fe80::1", .linkLocal), ("febf:ffff::1", .linkLocal),
    ("10.0.0.1", .privateNetwork), ("10.255.255.255", .privateNetwork),
    ("172.16.0.1", .privateNetwork), ("172.31.255.255", .privateNetwork),
    ("192.168.0.1", .privateNetwork), ("fc00::1", .privateNetwork),
    ("fdff:ffff::1", .privateNetwork), ("fec0::1", .privateNetwork),
    ("100.64.0.1", .sharedAddressSpace), ("100.127.255.255", .sharedAddressSpace),
    ("224.0.0.1", .multicast), ("239.255.255.255", .multicast), ("ff02::1", .multicast),
    ("255.255.255.255", .broadcast),
    ("240.0.0.1", .reserved), ("192.0.2.1", .reserved), ("198.18.0.1", .reserved),
    ("2001:db8::1", .reserved),
    // IPv6 forms that reach an IPv4 address take that address's scope.
    ("::ffff:127.0.0.1", .loopback), ("::ffff:10.1.2.3", .privateNetwork),
    ("::ffff:169.254.169.254", .linkLocal), ("::ffff:100.64.0.1", .sharedAddressSpace),
    ("::ffff:0.0.0.0", .unspecified), ("::ffff:255.255.255.255", .broadcast),
    ("::127.0.0.1", .loopback), ("::10.0.0.1", .privateNetwork),
    ("::ffff:0:127.0.0.1", .loopback), ("64:ff9b::10.0.0.1", .privateNetwork),
    ("2002:7f00:1::1", .loopback), ("2002:a9fe:a9fe::", .linkLocal),
    // Just outside the ranges, and ordinary public addresses.
    ("172.15.255.255", .global), ("172.32.0.0", .global), ("100.63.255.255", .global),
    ("100.128.0.0", .global), ("169.253.255.255", .global), ("11.0.0.1", .global),
    ("93.184.216.34", .global), ("8.8.8.8", .global), ("::ffff:8.8.8.8", .global),
    ("64:ff9b::808:808", .global), ("2606:4700:4700::1111", .global),
    ("2a00:1450:4001:82b::200e", .global),
  ]

  @Test(arguments: table)
  func eachRangeHasItsScope(_ text: String, _ scope: IPAddressScope) throws {
    let address = try #require(IPAddress(text))
    #expect(IPAddressScope(of: address) == scope, "\(text)")
    let strict = WebhookAddressPolicy()
    #expect(strict.allows(address) == (scope == .global), "\(text)")
    #expect(strict.refusal(of: address) == (scope == .global ? nil : scope))
    #expect(WebhookAddressPolicy(allowPrivate: true).allows(address))
  }

  @Test func textThatIsNotAnAddressIsNeverAllowed() {
    for text in ["localhost", "example.com", "1.2.3", "01.2.3.4.5", "fe80::1%eth0", "[::1]", ""] {
      #expect(IPAddress(text) == nil, "\(text)")
      #expect(!WebhookAddressPolicy(allowPrivate: true).allows(text), "\(text)")
    }
    #expect(WebhookAddressPolicy().allows("93.184.216.34"))
    #expect(!WebhookAddressPolicy().allows("127.0.0.1"))
  }

  @Test func addressesPrintCanonically() throws {
    #expect(try #require(IPAddress("127.0.0.1")).description == "127.0.0.1")
    #expect(try #require(IPAddress("0:0:0:0:0:0:0:1")).description == "::1")
    #expect(try #require(IPAddress("::FFFF:7F00:1")).description == "::ffff:127.0.0.1")
    #expect(IPAddress(bytes: [1, 2, 3]) == nil)
  }
}
