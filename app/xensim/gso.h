/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef XENSIM_GSO_H
#define XENSIM_GSO_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Segmenting a TCP GSO frame in software, as Linux does before a device
 * without TSO (tcp_gso_segment, inet_gso_segment, ipv6_gso_segment):
 * every segment has the headers of the frame (IP and TCP options, IPv6
 * extension headers, VLAN tags) and up to mss bytes of its payload; its
 * IP length is its own, an IPv4 id one more than the segment before, the
 * TCP sequence number advanced by mss per segment, CWR on the first only,
 * FIN and PSH on the last only, and its checksums computed.
 */

struct gso {
	const uint8_t *frame;
	uint32_t l3;		/* offset of the IP header */
	uint32_t l4;		/* of the TCP header */
	uint32_t hdr_len;	/* headers, through TCP's options */
	uint32_t payload;	/* the rest of the frame */
	uint16_t mss;
	bool ipv6;
	unsigned int nr_segs;	/* at least one, even with no payload */
};

/* 0, or -1 when the frame is not TCP over IPv6 (ipv6) or IPv4, is a
 * fragment or is cut short, or mss is 0. The frame must stay in place. */
int gso_parse(struct gso *g, const uint8_t *frame, uint32_t len,
	      uint16_t mss, bool ipv6);
uint32_t gso_seg_len(const struct gso *g, unsigned int i);
/* Write segment i into out (gso_seg_len() bytes, returned). partial: the
 * TCP checksum field gets the pseudo-header sum for a receiver that takes
 * csum_blank, not the complete checksum. */
uint32_t gso_segment(const struct gso *g, unsigned int i, uint8_t *out,
		     bool partial);

#endif
