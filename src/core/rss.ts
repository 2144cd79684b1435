// Receive-side scaling in software (mtcp-inventory §5.7): the Toeplitz hash of mTCP's NICs with mTCP's symmetric
// key (0x05 repeated), so both directions of a flow land on the same core, and its queue choice
// (hash & 0x7F) % cores, as ixgbe's 128-entry redirection table filled round-robin.
// Input bits, most significant first: source IP (32) | destination IP (32) | source port (16) | destination port (16).

/** mTCP's RSS key: 0x05 repeated. A key with a 16-bit period makes the hash symmetric. */
const KEY_BYTE = 0x05;
const KEY_BYTES = 40;

// TABLE[pos * 256 + b] = XOR of the key windows of the set bits of byte value b at input byte `pos` (0..11).
const TABLE = new Uint32Array(12 * 256);
(function build(): void {
  const key = new Uint8Array(KEY_BYTES).fill(KEY_BYTE);
  const windows = new Uint32Array(96);
  for (let i = 0; i < 96; i++) {
    let w = 0;
    for (let j = 0; j < 32; j++) {
      const bit = i + j;
      const set = (key[bit >>> 3] >>> (7 - (bit & 7))) & 1;
      w = (w << 1) | set;
    }
    windows[i] = w >>> 0;
  }
  for (let pos = 0; pos < 12; pos++) {
    for (let b = 0; b < 256; b++) {
      let h = 0;
      for (let k = 0; k < 8; k++) if ((b >>> (7 - k)) & 1) h ^= windows[pos * 8 + k];
      TABLE[pos * 256 + b] = h >>> 0;
    }
  }
})();

/** Toeplitz hash of a flow (host-order addresses and ports), as mTCP's GetRSSHash. */
export function rssHash(srcIp: number, dstIp: number, srcPort: number, dstPort: number): number {
  const t = TABLE;
  const h = t[(srcIp >>> 24) & 255] ^ t[256 + ((srcIp >>> 16) & 255)] ^ t[512 + ((srcIp >>> 8) & 255)] ^ t[768 + (srcIp & 255)] ^
    t[1024 + ((dstIp >>> 24) & 255)] ^ t[1280 + ((dstIp >>> 16) & 255)] ^ t[1536 + ((dstIp >>> 8) & 255)] ^ t[1792 + (dstIp & 255)] ^
    t[2048 + ((srcPort >>> 8) & 255)] ^ t[2304 + (srcPort & 255)] ^ t[2560 + ((dstPort >>> 8) & 255)] ^ t[2816 + (dstPort & 255)];
  return h >>> 0;
}

/** The core (0 .. cores-1) whose queue receives the flow: (hash & 0x7F) % cores (mTCP's GetRSSCPUCore for ixgbe). */
export function rssCore(srcIp: number, dstIp: number, srcPort: number, dstPort: number, cores: number): number {
  return (rssHash(srcIp, dstIp, srcPort, dstPort) & 0x7f) % cores;
}
