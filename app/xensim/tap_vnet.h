/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef XENSIM_TAP_VNET_H
#define XENSIM_TAP_VNET_H

#include <stdint.h>
#include <linux/virtio_net.h>

#include "frame_ring.h"
#include "netback_vif.h"

/*
 * A TAP with offloads (tap-offload=1), driven as QEMU drives one for a
 * virtio NIC: every frame read or written starts with a struct
 * virtio_net_hdr (IFF_VNET_HDR, little-endian by TUNSETVNETLE). The
 * kernel hands over CHECKSUM_PARTIAL and GSO frames only as far as
 * TUNSETOFFLOAD allows, which follows what the frontend takes; it accepts
 * either from us always, as Linux's vif passes them to a bridge.
 */

/* TUN_F_ flags: the blank checksums and GSO frames the frontend takes
 * as they are (nb_fe_csum_blank_ok(), nb_fe_gso_ok()). */
unsigned int tap_vnet_offloads(const struct netback *nb);
/*
 * A frame the kernel gave, with its header: info says how it goes on. A
 * blank TCP or UDP checksum stays blank (the field holds the pseudo-header
 * sum, as netif wants it); any other checksum to be filled is filled here.
 * -1: drop it (a GSO type netif lacks, or a frame that does not match
 * its header).
 */
int tap_vnet_in(const struct virtio_net_hdr *vh, uint8_t *frame,
		uint32_t len, struct frame_info *info);
/* The header of a frame that goes to the kernel, from what the frontend
 * sent (info as the TX path left it: a GSO frame was parsed there). */
void tap_vnet_out(struct virtio_net_hdr *vh, const uint8_t *frame,
		  uint32_t len, const struct frame_info *info);

#endif
