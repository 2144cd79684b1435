// virtio_net_hdr handling for IFF_VNET_HDR TAPs: finishing partial checksums of received frames and
// describing checksum offload / GSO for frames we send.
#ifndef MTCP_TAP_VNET_H
#define MTCP_TAP_VNET_H

#include <stdint.h>
#include <linux/virtio_net.h>

#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5 /* older kernel headers lack it */
#endif

#define VNET_HDR_LEN ((int)sizeof(struct virtio_net_hdr)) /* 10: no TUNSETVNETHDRSZ change requested */

/** Completes the partial L4 checksum the header describes (VIRTIO_NET_HDR_F_NEEDS_CSUM) in place. */
void vnet_complete_partial(uint8_t *frame, int len, const struct virtio_net_hdr *h);
/** Fills h for a frame whose L4 checksum holds only the pseudo-header sum (and a GSO super-frame when
 *  gso > 0). Returns 0 when the frame is not IPv4/IPv6 TCP/UDP and so cannot be offloaded. */
int vnet_fill_tx_hdr(const uint8_t *f, int len, uint16_t gso, struct virtio_net_hdr *h);

#endif
