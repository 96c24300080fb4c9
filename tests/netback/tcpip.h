/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TESTS_NETBACK_TCPIP_H
#define TESTS_NETBACK_TCPIP_H

/*
 * TCP frames for the GSO tests and an independent judge of the segments
 * made of them (none of app/xensim's code): checksums byte by byte, the
 * RFC 1071 way, and what Linux's tcp_gso_segment() makes of each field.
 */
#include <stdbool.h>
#include <stdint.h>

#define TCP_FIN		0x01
#define TCP_PSH		0x08
#define TCP_ACK		0x10
#define TCP_ECE		0x40
#define TCP_CWR		0x80

struct tcp_spec {
	bool ipv6;
	bool vlan;		/* one 802.1Q tag */
	unsigned int ip_opt;	/* IPv4 option bytes (a multiple of 4), or
				 * an IPv6 hop-by-hop header's (of 8) */
	unsigned int tcp_opt;	/* a multiple of 4 */
	unsigned int payload;
	uint8_t flags;		/* TCP's */
	uint16_t ip_id;
	uint32_t seq;
	uint8_t proto;		/* 0: TCP */
	uint16_t frag;		/* IPv4 flags and fragment offset */
	const uint8_t *dst;	/* destination MAC; NULL: a unicast one */
};

/* Where a built frame's headers are. */
struct tcp_layout {
	unsigned int len, l3, l4, hdr_len;
};

/* Big-endian fields of a frame. */
static inline void
put16(uint8_t *p, unsigned int v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

static inline unsigned int
get16(const uint8_t *p)
{
	return (unsigned int)p[0] << 8 | p[1];
}

static inline uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

/* RFC 1071 sums, not folded, and folding. */
uint32_t inet_add(uint32_t sum, const uint8_t *p, unsigned int len);
uint16_t inet_fold(uint32_t sum);
/* Ethernet, IP, TCP and payload (seeded) into f; the TCP checksum field
 * holds 0xdead, as if a sender left it blank. */
struct tcp_layout tcp_frame(uint8_t *f, const struct tcp_spec *s,
			    unsigned int seed);
/* The pseudo-header sum of f's L4 header and payload (len - l4 bytes). */
uint32_t tcp_pseudo(const uint8_t *f, const struct tcp_layout *lo,
		    unsigned int len, bool ipv6);
/* Is f's TCP checksum complete? Or, partial, the pseudo-header sum a
 * receiver of csum_blank completes? */
bool tcp_csum_ok(const uint8_t *f, const struct tcp_layout *lo,
		 unsigned int len, bool ipv6, bool partial);
unsigned int tcp_nr_segs(const struct tcp_layout *lo, unsigned int mss);
/* Segment i of orig, cut at mss: orig's headers but for the IP length,
 * IPv4 id (+ i) and header checksum, TCP sequence (+ i * mss), CWR (first
 * only), FIN and PSH (last only), and its TCP checksum complete (or
 * partial); orig's payload slice. what: for the failure messages. */
void check_segment(const char *what, const uint8_t *orig,
		   const struct tcp_layout *lo, bool ipv6, unsigned int mss,
		   unsigned int i, const uint8_t *seg, unsigned int len,
		   bool partial);

#endif
