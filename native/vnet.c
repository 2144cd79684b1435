// See vnet.h.
#include "vnet.h"

#include <stddef.h>

// Internet checksum (RFC 1071): ones' complement sum of 16-bit big-endian words, folded at the end.

static uint32_t sum16(const uint8_t *p, size_t len, uint32_t acc) {
  uint64_t s = acc;
  while (len >= 2) {
    s += (uint32_t)((p[0] << 8) | p[1]);
    p += 2;
    len -= 2;
  }
  if (len) s += (uint32_t)(p[0] << 8);
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return (uint32_t)s;
}

void vnet_complete_partial(uint8_t *frame, int len, const struct virtio_net_hdr *h) {
  int start = h->csum_start, field = h->csum_start + h->csum_offset;
  if (start >= len || field + 2 > len) return;
  // The field holds the pseudo-header sum (RFC 793 §3.1 / RFC 768); summing it with the rest and
  // complementing gives the final checksum.
  uint32_t s = sum16(frame + start, (size_t)(len - start), 0);
  uint16_t v = (uint16_t)~s;
  frame[field] = (uint8_t)(v >> 8);
  frame[field + 1] = (uint8_t)v;
}

// Fills the virtio header of an outgoing frame the caller marked CSUM_PARTIAL (and GSO when gso > 0).
// Returns 0 when the frame is not IPv4/IPv6 TCP/UDP and so cannot be offloaded.
int vnet_fill_tx_hdr(const uint8_t *f, int len, uint16_t gso, struct virtio_net_hdr *h) {
  if (len < 14 + 20) return 0;
  int type = (f[12] << 8) | f[13];
  int l3 = 14, l4, proto, v6;
  if (type == 0x0800) {
    l4 = l3 + (f[l3] & 15) * 4;
    proto = f[l3 + 9];
    v6 = 0;
  } else if (type == 0x86dd) {
    l4 = l3 + 40;
    proto = f[l3 + 6]; // extension headers are not offloaded
    v6 = 1;
  } else {
    return 0;
  }
  if (proto == 6) {
    if (l4 + 20 > len) return 0;
    h->csum_offset = 16;
    h->hdr_len = (uint16_t)(l4 + (f[l4 + 12] >> 4) * 4);
    h->gso_type = gso ? (v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4) : VIRTIO_NET_HDR_GSO_NONE;
  } else if (proto == 17) {
    if (l4 + 8 > len) return 0;
    h->csum_offset = 6;
    h->hdr_len = (uint16_t)(l4 + 8);
    h->gso_type = gso ? VIRTIO_NET_HDR_GSO_UDP_L4 : VIRTIO_NET_HDR_GSO_NONE;
  } else {
    return 0;
  }
  h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
  h->csum_start = (uint16_t)l4;
  h->gso_size = gso;
  return 1;
}
