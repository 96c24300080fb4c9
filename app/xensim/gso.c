/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "csum.h"
#include "gso.h"

#define IPPROTO_TCP_	6
#define TCP_HLEN	20
#define IP6_HLEN	40
#define TCP_FIN		0x01
#define TCP_PSH		0x08
#define TCP_CWR		0x80

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void
put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

int
gso_parse(struct gso *g, const uint8_t *frame, uint32_t len, uint16_t mss,
	  bool ipv6)
{
	struct csum_l4 l4;
	uint32_t thl;

	if (mss == 0 || csum_l4_find(frame, len, &l4) != 0 ||
	    l4.ipv6 != ipv6 || l4.proto != IPPROTO_TCP_ || l4.len < TCP_HLEN)
		return -1;
	thl = (frame[l4.off + 12] >> 4) * 4u;
	if (thl < TCP_HLEN || thl > l4.len)
		return -1;
	g->frame = frame;
	g->l3 = l4.l3;
	g->l4 = l4.off;
	g->hdr_len = l4.off + thl;
	/* As Linux, whatever follows the headers: the IP length of each
	 * segment is made anew. */
	g->payload = len - g->hdr_len;
	g->mss = mss;
	g->ipv6 = ipv6;
	g->nr_segs = g->payload == 0 ? 1 : (g->payload + mss - 1) / mss;
	return 0;
}

uint32_t
gso_seg_len(const struct gso *g, unsigned int i)
{
	uint32_t done = (uint32_t)i * g->mss;
	uint32_t n = g->payload - done;

	return g->hdr_len + (n < g->mss ? n : g->mss);
}

uint32_t
gso_segment(const struct gso *g, unsigned int i, uint8_t *out, bool partial)
{
	uint32_t len = gso_seg_len(g, i), done = (uint32_t)i * g->mss;
	const uint8_t *th0 = g->frame + g->l4;
	uint8_t *ip = out + g->l3, *th = out + g->l4;

	memcpy(out, g->frame, g->hdr_len);
	memcpy(out + g->hdr_len, g->frame + g->hdr_len + done,
	       len - g->hdr_len);
	if (g->ipv6) {
		put16(ip + 4, len - g->l3 - IP6_HLEN);
	} else {
		put16(ip + 2, len - g->l3);
		put16(ip + 4, ((uint32_t)ip[4] << 8 | ip[5]) + i);
		csum_ip4_header(ip);
	}
	put32(th + 4, get32(th0 + 4) + done);
	if (i != 0)
		th[13] &= (uint8_t)~TCP_CWR;
	if (i + 1 != g->nr_segs)
		th[13] &= (uint8_t)~(TCP_FIN | TCP_PSH);
	if (partial)
		csum_partial(out, len);
	else
		csum_complete(out, len);
	return len;
}
