// Tunables of one TCP engine. Defaults follow mTCP where mTCP has a knob (rcvbuf/sndbuf 8192, tcp_timeout 30 s,
// tcp_timewait 0) and Linux/RFCs elsewhere (RTO per RFC 6298, delayed ACK <= 200 ms per RFC 1122 §4.2.3.2).

export interface TcpConfig {
  /** MSS we advertise and the largest payload we send: the port's MTU minus 40 (RFC 9293 §3.7.1). */
  mss: number;
  rcvbuf: number;
  sndbuf: number;
  /** Most connections (any state) per engine; beyond it connect() gets ENOMEM and SYNs are dropped. */
  maxConcurrency: number;
  /** Most send buffers and most receive buffers in use at once (each pool). */
  maxBuffers: number;
  timeWaitMs: number;
  /** Idle timeout of ESTABLISHED connections (mTCP's tcp_timeout); <= 0 disables. */
  idleTimeoutMs: number;
  /** An orphaned connection (application closed it) may stay in FIN_WAIT_2 this long (Linux tcp_fin_timeout). */
  finWait2TimeoutMs: number;
  rtoMinMs: number;
  rtoInitialMs: number;
  rtoMaxMs: number;
  /** SYN (or SYN-ACK) retransmissions before the attempt fails with ETIMEDOUT. */
  synRetries: number;
  /** Data retransmissions (RTO expiries in a row) before the connection fails with ETIMEDOUT. */
  dataRetries: number;
  cc: 'cubic' | 'reno';
  delayedAckMs: number;
  /** Half-open (SYN_RECEIVED) connections per listener before SYN cookies are used (RFC 4987 §3.6). */
  synBacklog: number;
  /** Upper bound for a listener's accept queue (listen() backlog is clamped to it, as Linux's somaxconn). */
  acceptBacklogMax: number;
  keepaliveIdleMs: number;
  keepaliveIntervalMs: number;
  keepaliveProbes: number;
  windowScaling: boolean;
  timestamps: boolean;
  sack: boolean;
  /** Tail loss probe (RFC 8985 §7): with data in flight and no ACK for a probe timeout (about 2 SRTT), send one
   *  segment so that a lost tail is reported by SACK instead of waiting for the RTO. Needs SACK. */
  tailLossProbe: boolean;
  /** Challenge ACKs per second per engine (RFC 5961 §7); Linux's tcp_challenge_ack_limit default. */
  challengeAckLimit: number;
  /** TSO (send side of GSO): when > 0, data segments may carry up to this many payload bytes in ONE segment that
   *  the sink hands to the link as a super-frame the kernel cuts into MSS-sized pieces, and every segment goes
   *  out with a partial checksum (pseudo-header sum only) that the link completes. The sink must implement
   *  sendSegmentOffload. 0 = off (every segment at most one MSS, full checksum). Capped at 65455 (an IPv4 packet). */
  tsoMaxSegment: number;
  /** 32 random bytes: keys for ISNs (RFC 6528), SYN cookies (RFC 4987), ephemeral ports (RFC 6056). */
  secret: Uint8Array;
}

export function defaultTcpConfig(overrides?: Partial<TcpConfig>): TcpConfig {
  const config: TcpConfig = {
    mss: 1460,
    rcvbuf: 8192,
    sndbuf: 8192,
    maxConcurrency: 10000,
    maxBuffers: 10000,
    timeWaitMs: 0,
    idleTimeoutMs: 30000,
    finWait2TimeoutMs: 60000,
    rtoMinMs: 200,
    rtoInitialMs: 1000,
    rtoMaxMs: 120000,
    synRetries: 6,
    dataRetries: 15,
    cc: 'cubic',
    delayedAckMs: 40,
    synBacklog: 256,
    acceptBacklogMax: 4096,
    keepaliveIdleMs: 7200000,
    keepaliveIntervalMs: 75000,
    keepaliveProbes: 9,
    windowScaling: true,
    timestamps: true,
    sack: true,
    tailLossProbe: true,
    challengeAckLimit: 1000,
    tsoMaxSegment: 0,
    secret: new Uint8Array(32),
  };
  if (overrides !== undefined) Object.assign(config, overrides);
  if (overrides === undefined || overrides.secret === undefined) {
    // A fixed all-zero key would make ISNs predictable (RFC 6528 §3); draw one unless the caller chose.
    config.secret = new Uint8Array(32);
    globalThis.crypto.getRandomValues(config.secret);
  }
  return config;
}
