import Synchronization

/// One listener's share of the server: how many calls may run on it at once, and how many of
/// those one peer (a client address on the public listener, a certificate holder on the member
/// listener) may hold, long-lived streams counted apart as well. A call holds its places from its
/// first byte until it ends, however it ends (`release` runs in a `defer`).
final class ListenerBudget: Sendable {
  /// The numbers a budget enforces.
  struct Limits: Sendable, Equatable {
    /// Calls running at once on the listener.
    var maxInFlight: Int
    /// Calls running at once for one peer (streams included).
    var maxInFlightPerPeer: Int
    /// Long-lived streams open at once for one peer.
    var maxStreamsPerPeer: Int
  }

  /// Why a call was not admitted.
  enum Refusal: Equatable {
    case listenerFull
    case peerFull
    case peerStreamsFull
  }

  let limits: Limits
  private let state = Mutex(State())

  private struct State {
    var inFlight = 0
    var peers: [String: PeerLoad] = [:]
  }

  private struct PeerLoad {
    var calls = 0
    var streams = 0
  }

  init(_ limits: Limits) {
    self.limits = limits
  }

  /// Takes a place for a call by `peer` (nil), or says why there is none.
  func admit(peer: String, isStream: Bool) -> Refusal? {
    state.withLock { state in
      guard state.inFlight < limits.maxInFlight else { return .listenerFull }
      var load = state.peers[peer] ?? PeerLoad()
      guard load.calls < limits.maxInFlightPerPeer else { return .peerFull }
      guard !isStream || load.streams < limits.maxStreamsPerPeer else { return .peerStreamsFull }
      load.calls += 1
      if isStream { load.streams += 1 }
      state.peers[peer] = load
      state.inFlight += 1
      return nil
    }
  }

  /// Gives back the place `admit` took.
  func release(peer: String, isStream: Bool) {
    state.withLock { state in
      state.inFlight -= 1
      guard var load = state.peers[peer] else { return }
      load.calls -= 1
      if isStream { load.streams -= 1 }
      // A peer with nothing running is forgotten, so the table holds only peers with calls.
      state.peers[peer] = load.calls > 0 ? load : nil
    }
  }

  /// Calls running now, and peers with calls running.
  var usage: (inFlight: Int, peers: Int) {
    state.withLock { ($0.inFlight, $0.peers.count) }
  }
}
