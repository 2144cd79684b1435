// Named counters of one engine (like Linux's TcpExt / netstat -s). Plain numeric fields, bumped on the hot path.

export class TcpCounters {
  segmentsIn = 0;
  segmentsOut = 0;
  dataSegmentsOut = 0;
  bytesOut = 0;
  bytesIn = 0;
  retransmits = 0;
  fastRetransmits = 0;
  sackRecoveries = 0;
  /** Retransmissions found lost from SACK information (resent before the RTO). */
  lostRetransmits = 0;
  /** Times retransmissions of any hole were found lost (data sent after them SACKed) and queued again. */
  lostRetransmitsDetected = 0;
  /** Tail loss probes sent (RFC 8985 §7). */
  tlpSent = 0;
  timeouts = 0;
  dropMalformed = 0;
  dropChecksum = 0;
  dropNoConnection = 0;
  dropOutOfWindow = 0;
  dropPaws = 0;
  dropAckUnacceptable = 0;
  dropNoAck = 0;
  dropListen = 0;
  dropSynBacklog = 0;
  dropAcceptQueueFull = 0;
  dropReceiveRanges = 0;
  dropReceiveNoMemory = 0;
  rstSent = 0;
  rstReceived = 0;
  challengeAcks = 0;
  challengeAcksSuppressed = 0;
  cookiesSent = 0;
  cookiesAccepted = 0;
  cookiesRejected = 0;
  activeOpens = 0;
  passiveOpens = 0;
  connectionsEstablished = 0;
  connectionsFreed = 0;
  resetsOnClose = 0;
  outOfOrderSegments = 0;
  duplicateSegments = 0;
  dsackSent = 0;
  dsackReceived = 0;
  delayedAcks = 0;
  zeroWindowProbes = 0;
  keepaliveProbes = 0;
  keepaliveTimeouts = 0;
  idleTimeouts = 0;
  retransmitTimeouts = 0;
  finWait2Timeouts = 0;
  timersFired = 0;
  /** Segments the sink refused (returned -errno); treated as lost. */
  sinkErrors = 0;
  /** Data segments larger than one MSS handed to the sink for segmentation by the link (TSO). */
  tsoSegmentsOut = 0;
}
