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

/* Where a frame's TCP or UDP header is. */
struct csum_l4 {
	uint32_t l3;		/* offset of the IP header */
	uint32_t off;		/* of the L4 header */
	uint32_t len;		/* L4 header and payload, by the IP header */
	uint8_t proto;
	bool ipv6;
};

/* 0, or -1 when the frame is not TCP/UDP over IP, a fragment or cut
 * short (then it is left as it is). */
int csum_complete(uint8_t *frame, uint32_t len);
/* The checksum field set to the pseudo-header sum, as a sender leaves it
 * for NETRXF_csum_blank (Linux's CHECKSUM_PARTIAL); 0 or -1 as above. */
int csum_partial(uint8_t *frame, uint32_t len);
/* Locate the L4 header; 0, or -1 as above (any protocol is located). */
int csum_l4_find(const uint8_t *frame, uint32_t len, struct csum_l4 *l4);
/* Where a TCP or UDP frame's checksum field is: off bytes into the L4
 * header at start; 0, or -1 as above and for any other protocol. */
int csum_l4_field(const uint8_t *frame, uint32_t len, uint32_t *start,
		  uint32_t *off);
/* A device's generic checksum (Linux's CHECKSUM_PARTIAL with csum_start
 * and csum_offset): the sum of everything from start, the field at
 * start + off included (it holds the seed), goes into that field. 0, or
 * -1 when the field is not within the frame. */
int csum_fill(uint8_t *frame, uint32_t len, uint32_t start, uint32_t off);
/* The header checksum of the IPv4 header at ip, its IHL trusted. */
void csum_ip4_header(uint8_t *ip);
/* Is this an IPv6 frame (the frontend may not take IPv6 csum_blank)? */
bool csum_is_ipv6(const uint8_t *frame, uint32_t len);

#endif
