// The Internet checksum (RFC 1071) with the TCP pseudo-header (RFC 9293 §3.1) and the incremental
// update of RFC 1624. Runs once per segment: no allocation, one loop over byte pairs, folds kept rare.
//
// An "accumulator" is a non-negative number holding a one's-complement sum that has not yet been folded
// to 16 bits. Accumulators add: sum(A) + sum(B) is the accumulator of A followed by B when A has even length.

/** Folds so that the running sum stays a small integer (V8 small-integer range) inside long loops. */
const FOLD_EVERY_BYTES = 16384; // 8192 words * 0xffff < 2^29

/**
 * Adds the 16-bit big-endian words of buf[off..off+len) to `acc`. An odd trailing byte is padded with a zero
 * byte (RFC 1071 §4.1). Returns an accumulator (partly folded, < 2^30), not the final value.
 */
export function onesComplementSum(buf: Uint8Array, off: number, len: number, acc: number): number {
  if (off < 0 || len < 0 || off + len > buf.length) {
    throw new RangeError(`onesComplementSum: range ${off}+${len} exceeds buffer length ${buf.length}`);
  }
  let sum = (acc & 0xffff) + Math.floor(acc / 0x10000); // keep the incoming value small
  let i = off;
  const evenEnd = off + (len & ~1);
  while (i < evenEnd) {
    let chunkEnd = i + FOLD_EVERY_BYTES;
    if (chunkEnd > evenEnd) chunkEnd = evenEnd;
    // Unrolled by 8 bytes; the remainder loop handles the rest.
    const unrolledEnd = chunkEnd - ((chunkEnd - i) & 7);
    while (i < unrolledEnd) {
      sum +=
        ((buf[i] << 8) | buf[i + 1]) +
        ((buf[i + 2] << 8) | buf[i + 3]) +
        ((buf[i + 4] << 8) | buf[i + 5]) +
        ((buf[i + 6] << 8) | buf[i + 7]);
      i += 8;
    }
    while (i < chunkEnd) {
      sum += (buf[i] << 8) | buf[i + 1];
      i += 2;
    }
    sum = (sum & 0xffff) + (sum >>> 16);
  }
  if ((len & 1) !== 0) sum += buf[off + len - 1] << 8;
  return sum;
}

/** Folds an accumulator to 16 bits with end-around carry and complements it: the value to store. */
export function finishChecksum(acc: number): number {
  let sum = (acc & 0xffff) + Math.floor(acc / 0x10000);
  sum = (sum & 0xffff) + (sum >>> 16);
  sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** Accumulator of the IPv4 pseudo-header: source, destination, zero+protocol, and the TCP/UDP length. */
export function pseudoHeaderSum(src: number, dst: number, protocol: number, length: number): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + (protocol & 0xff) + (length & 0xffff);
}

/** Offset of the checksum field inside a TCP header. */
const TCP_CHECKSUM_FIELD = 16;

/**
 * The TCP checksum to store for the segment buf[off..off+len) (header + payload) between src and dst.
 * The checksum field (bytes 16-17) is SKIPPED, so whatever it holds does not matter; requires len >= 18.
 */
export function tcpChecksum(buf: Uint8Array, off: number, len: number, src: number, dst: number): number {
  if (len < TCP_CHECKSUM_FIELD + 2) throw new RangeError(`tcpChecksum: segment length ${len} < 18`);
  let acc = pseudoHeaderSum(src, dst, 6, len);
  acc = onesComplementSum(buf, off, TCP_CHECKSUM_FIELD, acc);
  acc = onesComplementSum(buf, off + TCP_CHECKSUM_FIELD + 2, len - TCP_CHECKSUM_FIELD - 2, acc);
  return finishChecksum(acc);
}

/** True when the stored TCP checksum of buf[off..off+len) is right (the sum with it folds to 0xffff). */
export function verifyTcpChecksum(buf: Uint8Array, off: number, len: number, src: number, dst: number): boolean {
  if (off < 0 || len < 0 || off + len > buf.length) return false;
  return finishChecksum(onesComplementSum(buf, off, len, pseudoHeaderSum(src, dst, 6, len))) === 0;
}

/**
 * RFC 1624 eqn. 3: the new checksum after one 16-bit word of the covered data changes from oldWord to
 * newWord: HC' = ~(~HC + ~m + m'). Unlike eqn. 2 it never produces 0xffff ("-0") from a valid header.
 */
export function updateChecksum16(oldChecksum: number, oldWord: number, newWord: number): number {
  let sum = (~oldChecksum & 0xffff) + (~oldWord & 0xffff) + (newWord & 0xffff);
  sum = (sum & 0xffff) + (sum >>> 16);
  sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** RFC 1624 update for a 32-bit field (e.g. an IPv4 address or a sequence number) changing value. */
export function updateChecksum32(oldChecksum: number, oldValue: number, newValue: number): number {
  const c = updateChecksum16(oldChecksum, oldValue >>> 16, newValue >>> 16);
  return updateChecksum16(c, oldValue & 0xffff, newValue & 0xffff);
}
