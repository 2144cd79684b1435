// Named counters of the interface layer. Every received frame ends in exactly ONE of the RX_OUTCOMES
// counters (accepted or dropped, with the reason), so their sum equals rxFrames; the other counters describe
// transmit-side events and side effects (ARP learning, ICMP errors sent or withheld).

/** Counter names that classify a received frame; exactly one is incremented per frame. */
export const RX_OUTCOMES = [
  // Ethernet
  'ethTooShort', 'ethNotForUs', 'ethUnknownType',
  // ARP (RFC 826)
  'arpMalformed', 'arpBadSender', 'arpAddressConflict', 'arpNotForUs',
  'arpRequestAnswered', 'arpReplyAccepted',
  // IPv4 (RFC 791, RFC 1122 §3.2.1)
  'ipBadVersion', 'ipBadHeaderLength', 'ipBadTotalLength', 'ipBadChecksum', 'ipBadSource', 'ipNotForUs',
  'ipTtlZero', 'ipFragment', 'ipUnknownProtocol',
  // ICMP (RFC 792, RFC 1122 §3.2.2)
  'icmpMalformed', 'icmpEchoAnswered', 'icmpEchoToBroadcast', 'icmpEchoReplyReceived', 'icmpErrorReceived',
  'icmpOtherType',
  // UDP: no sockets, answered with port unreachable (RFC 1122 §4.1.3.1)
  'udpMalformed', 'udpBadChecksum', 'udpNoPort',
  // TCP
  'tcpDelivered', 'tcpNoHandler', 'tcpToBroadcast',
  // Other protocols (and UDP) handed to a handler registered with setTransportHandler
  'ipDelivered',
] as const;

export type RxOutcome = (typeof RX_OUTCOMES)[number];

export class NetCounters {
  /** Frames taken from the link and examined. */
  rxFrames = 0;

  ethTooShort = 0;
  ethNotForUs = 0;
  ethUnknownType = 0;
  arpMalformed = 0;
  arpBadSender = 0;
  arpAddressConflict = 0;
  arpNotForUs = 0;
  arpRequestAnswered = 0;
  arpReplyAccepted = 0;
  ipBadVersion = 0;
  ipBadHeaderLength = 0;
  ipBadTotalLength = 0;
  ipBadChecksum = 0;
  ipBadSource = 0;
  ipNotForUs = 0;
  ipTtlZero = 0;
  ipFragment = 0;
  ipUnknownProtocol = 0;
  icmpMalformed = 0;
  icmpEchoAnswered = 0;
  icmpEchoToBroadcast = 0;
  icmpEchoReplyReceived = 0;
  icmpErrorReceived = 0;
  icmpOtherType = 0;
  udpMalformed = 0;
  udpBadChecksum = 0;
  udpNoPort = 0;
  tcpDelivered = 0;
  tcpNoHandler = 0;
  tcpToBroadcast = 0;
  ipDelivered = 0;

  // ARP table events
  arpLearned = 0;
  arpUpdated = 0;
  arpExpired = 0;
  arpRequestsSent = 0;
  arpRepliesSent = 0;
  /** Datagrams held while their next hop was being resolved. */
  arpQueued = 0;
  /** Datagrams dropped because the resolution queue was full (the oldest one is dropped). */
  arpQueueOverflow = 0;
  /** Datagrams dropped because their next hop never answered (after the last retry); no ICMP is sent. */
  arpResolveFailed = 0;
  /** Sends refused with EHOSTUNREACH while a next hop is marked unreachable. */
  arpHostUnreachable = 0;
  /** Resolutions refused because the table was full of pending/static entries. */
  arpTableFull = 0;

  // Transmit side
  ipSent = 0;
  /** sendIpv4 refused: no route (ENETUNREACH). */
  txNoRoute = 0;
  /** sendIpv4 refused: datagram larger than the MTU (EMSGSIZE); we never fragment. */
  txTooBig = 0;
  /** A frame could not get a transmit slot even after a flush (ENOBUFS). */
  txNoBuffer = 0;
  icmpEchoRequestsSent = 0;
  icmpEchoRepliesSent = 0;
  icmpErrorsSent = 0;
  /** ICMP errors withheld by the token bucket (RFC 1812 §4.3.2.8). */
  icmpErrorsRateLimited = 0;
  /** ICMP errors not sent because RFC 1122 §3.2.2 forbids one (broadcast, fragment, bad source). */
  icmpErrorsSuppressed = 0;

  /** Sum of the per-frame outcome counters; equals rxFrames. */
  rxOutcomeTotal(): number {
    let total = 0;
    for (const name of RX_OUTCOMES) total += this[name];
    return total;
  }

  snapshot(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const key of Object.keys(this) as (keyof this & string)[]) {
      const value = this[key];
      if (typeof value === 'number') out[key] = value;
    }
    return out;
  }

  /** The non-zero counters as "name=value" pairs, for logs and the demo. */
  format(): string {
    const parts: string[] = [];
    for (const [key, value] of Object.entries(this.snapshot())) if (value !== 0) parts.push(`${key}=${value}`);
    return parts.join(' ');
  }
}
