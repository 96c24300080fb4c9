/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef XENSIM_CSUM_H
#define XENSIM_CSUM_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Completing the L4 checksum of a frame a frontend sent with
 * NETTXF_csum_blank, as Linux does for CHECKSUM_PARTIAL before a frame
 * leaves through a device that cannot: TCP or UDP over IPv4 or IPv6, in
 * an Ethernet frame with up to two VLAN tags. The checksum field may hold
 * anything (a pseudo-header sum or zero): the sum is computed whole.
 */

/* 0, or -1 when the frame is not TCP/UDP over IP, a fragment or cut
 * short (then it is left as it is). */
int csum_complete(uint8_t *frame, uint32_t len);
/* Is this an IPv6 frame (the frontend may not take IPv6 csum_blank)? */
bool csum_is_ipv6(const uint8_t *frame, uint32_t len);

#endif
