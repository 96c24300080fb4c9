/* SPDX-License-Identifier: BSD-3-Clause */
#include <stddef.h>

#include "csum.h"

#define ETH_HLEN	14
#define ETH_P_IP	0x0800
#define ETH_P_IPV6	0x86dd
#define ETH_P_8021Q	0x8100
#define ETH_P_8021AD	0x88a8
#define IPPROTO_TCP_	6
#define IPPROTO_UDP_	17
#define IP6_HLEN	40

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* One's complement sum of big-endian 16-bit words, not folded. */
static uint64_t
sum16(const uint8_t *p, size_t len, uint64_t sum)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += get16(p + i);
	if (len & 1)
		sum += (uint64_t)p[len - 1] << 8;
	return sum;
}

static uint16_t
fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* The ethertype after any VLAN tags and the offset of what follows. */
static uint16_t
l3_type(const uint8_t *f, uint32_t len, uint32_t *off)
{
	uint16_t type;
	unsigned int tags = 0;

	if (len < ETH_HLEN)
		return 0;
	*off = ETH_HLEN;
	type = get16(f + 12);
	while ((type == ETH_P_8021Q || type == ETH_P_8021AD) && tags++ < 2) {
		if (len < *off + 4)
			return 0;
		type = get16(f + *off + 2);
		*off += 4;
	}
	return type;
}

bool
csum_is_ipv6(const uint8_t *frame, uint32_t len)
{
	uint32_t off;

	return l3_type(frame, len, &off) == ETH_P_IPV6;
}

/*
 * The L4 length comes from the IP header, not the frame: Ethernet pads
 * short frames.
 */
int
csum_l4_find(const uint8_t *f, uint32_t len, struct csum_l4 *l4)
{
	uint32_t off, hl, l4_len;
	uint8_t nh;

	switch (l3_type(f, len, &off)) {
	case ETH_P_IP:
		if (len < off + 20 || (f[off] >> 4) != 4)
			return -1;
		hl = (f[off] & 0xfu) * 4u;
		if (hl < 20 || get16(f + off + 2) < hl ||
		    off + get16(f + off + 2) > len ||
		    (get16(f + off + 6) & 0x3fff) != 0)
			return -1;
		*l4 = (struct csum_l4){ .l3 = off, .off = off + hl,
			.len = get16(f + off + 2) - hl, .proto = f[off + 9] };
		return 0;
	case ETH_P_IPV6:
		if (len < off + IP6_HLEN || (f[off] >> 4) != 6 ||
		    off + IP6_HLEN + get16(f + off + 4) > len)
			return -1;
		*l4 = (struct csum_l4){ .l3 = off, .ipv6 = true };
		l4_len = get16(f + off + 4);
		nh = f[off + 6];
		off += IP6_HLEN;
		/* Hop-by-hop, routing and destination options: skip. */
		while (nh == 0 || nh == 43 || nh == 60) {
			if (l4_len < 8)
				return -1;
			hl = (f[off + 1] + 1u) * 8u;
			if (hl > l4_len)
				return -1;
			nh = f[off];
			off += hl;
			l4_len -= hl;
		}
		l4->off = off;
		l4->len = l4_len;
		l4->proto = nh;
		return 0;
	default:
		return -1;
	}
}

/* Where in a TCP or UDP header its checksum is; 0 for neither. */
static uint32_t
l4_csum_off(const struct csum_l4 *l4)
{
	if (l4->proto == IPPROTO_TCP_ && l4->len >= 20)
		return 16;
	if (l4->proto == IPPROTO_UDP_ && l4->len >= 8)
		return 6;
	return 0;
}

/*
 * The TCP or UDP header's checksum field and the pseudo-header sum, not
 * folded; 0 if the frame has neither.
 */
static uint32_t
l4_field(const uint8_t *f, uint32_t len, struct csum_l4 *l4, uint64_t *sum)
{
	uint32_t off;

	if (csum_l4_find(f, len, l4) != 0)
		return 0;
	off = l4_csum_off(l4);
	if (off == 0)
		return 0;
	*sum = l4->ipv6 ? sum16(f + l4->l3 + 8, 32, 0) :
			  sum16(f + l4->l3 + 12, 8, 0);
	*sum += l4->proto + (uint64_t)l4->len;
	return l4->off + off;
}

int
csum_l4_field(const uint8_t *frame, uint32_t len, uint32_t *start,
	      uint32_t *off)
{
	struct csum_l4 l4;

	if (csum_l4_find(frame, len, &l4) != 0 || l4_csum_off(&l4) == 0)
		return -1;
	*start = l4.off;
	*off = l4_csum_off(&l4);
	return 0;
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

int
csum_complete(uint8_t *frame, uint32_t len)
{
	struct csum_l4 l4;
	uint64_t sum;
	uint32_t field = l4_field(frame, len, &l4, &sum);
	uint16_t c;

	if (field == 0)
		return -1;
	put16(frame + field, 0);
	c = (uint16_t)~fold(sum16(frame + l4.off, l4.len, sum));
	/* A zero UDP checksum means "none": send its other form. */
	if (l4.proto == IPPROTO_UDP_ && c == 0)
		c = 0xffff;
	put16(frame + field, c);
	return 0;
}

int
csum_partial(uint8_t *frame, uint32_t len)
{
	struct csum_l4 l4;
	uint64_t sum;
	uint32_t field = l4_field(frame, len, &l4, &sum);

	if (field == 0)
		return -1;
	put16(frame + field, fold(sum));
	return 0;
}

int
csum_fill(uint8_t *frame, uint32_t len, uint32_t start, uint32_t off)
{
	uint16_t c;

	if (start > len || off > len - start || len - start - off < 2)
		return -1;
	c = (uint16_t)~fold(sum16(frame + start, len - start, 0));
	/* As skb_checksum_help(): 0 goes out in its other form. */
	put16(frame + start + off, c != 0 ? c : 0xffff);
	return 0;
}

void
csum_ip4_header(uint8_t *ip)
{
	uint32_t hl = (ip[0] & 0xfu) * 4u;

	put16(ip + 10, 0);
	put16(ip + 10, (uint16_t)~fold(sum16(ip, hl, 0)));
}
