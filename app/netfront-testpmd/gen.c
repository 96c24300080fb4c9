/* SPDX-License-Identifier: BSD-3-Clause */
/* Frames are a prefix of the shared template with the Ethernet header,
 * verify header and trailer patched in, so building one is a copy and a
 * 16-byte hash; mbufs come from bulk allocations.
 */
#include <errno.h>
#include <string.h>

#include <rte_mbuf.h>
#include <rte_memcpy.h>
#include <rte_random.h>

#include "gen.h"
#include "imix.h"

int
gen_init(struct gen *g, const struct verify_tpl *tpl,
	 struct rte_mempool *mp, const struct app_config *cfg,
	 const struct rte_ether_addr *src, const struct rte_ether_addr *dst,
	 uint32_t flow)
{
	uint32_t room = rte_pktmbuf_data_room_size(mp) - RTE_PKTMBUF_HEADROOM;

	if (cfg->pkt_max > tpl->max_len || cfg->pkt_min < VERIFY_MIN_LEN ||
	    room < VERIFY_MIN_LEN ||
	    (cfg->pkt_max + room - 1) / room > GEN_MAX_SEGS)
		return -EINVAL;
	memset(g, 0, sizeof(*g));
	g->tpl = tpl;
	g->mp = mp;
	memcpy(&g->eth, tpl->frame, sizeof(g->eth));
	rte_ether_addr_copy(src, &g->eth.src_addr);
	rte_ether_addr_copy(dst, &g->eth.dst_addr);
	g->flow = flow;
	g->seg_room = room;
	g->mode = cfg->size_mode;
	g->min = cfg->pkt_min;
	g->max = cfg->pkt_max;
	g->cur = g->mode == SIZE_IMIX ? 0 : g->min;
	return 0;
}

static uint32_t
next_size(struct gen *g)
{
	uint32_t len;

	switch (g->mode) {
	case SIZE_CYCLE:
		len = g->cur;
		g->cur = len >= g->max ? g->min : len + 1;
		return len;
	case SIZE_RANDOM:
		return g->min + (uint32_t)rte_rand_max(g->max - g->min + 1);
	case SIZE_IMIX:
		len = imix_lens[g->cur];
		g->cur = (g->cur + 1) % IMIX_NR;
		return len;
	case SIZE_FIXED:
		break;
	}
	return g->min;
}

/* Write n bytes at off of a chain whose segments may split them. */
static void
chain_write(struct rte_mbuf *m, uint32_t off, const void *src, uint32_t n)
{
	const uint8_t *s = src;

	for (; m != NULL && n > 0; m = m->next) {
		uint32_t k;

		if (off >= m->data_len) {
			off -= m->data_len;
			continue;
		}
		k = RTE_MIN((uint32_t)m->data_len - off, n);
		memcpy(rte_pktmbuf_mtod_offset(m, uint8_t *, off), s, k);
		s += k;
		n -= k;
		off = 0;
	}
}

/* segs[0..nseg) are fresh mbufs; chain them into one frame of len bytes. */
static void
frame_build(struct gen *g, struct rte_mbuf **segs, uint16_t nseg,
	    uint32_t len)
{
	struct rte_mbuf *head = segs[0], *last = head;
	uint64_t tr = verify_trailer(g->seq);
	uint32_t off = 0;
	uint8_t *d;
	uint16_t i;

	for (i = 0; i < nseg; i++) {
		uint32_t k = RTE_MIN(len - off, g->seg_room);

		last = segs[i];
		rte_memcpy(rte_pktmbuf_mtod(last, void *),
			   g->tpl->frame + off, k);
		last->data_len = k;
		last->next = i + 1 < nseg ? segs[i + 1] : NULL;
		off += k;
	}
	head->nb_segs = nseg;
	head->pkt_len = len;
	d = rte_pktmbuf_mtod(head, uint8_t *);
	memcpy(d, &g->eth, sizeof(g->eth));
	verify_hdr_fill(g->tpl, (struct verify_hdr *)(d + VERIFY_HDR_OFF),
			g->flow, g->seq, len);
	if (last->data_len >= sizeof(tr))
		memcpy(rte_pktmbuf_mtod_offset(last, uint8_t *,
			last->data_len - sizeof(tr)), &tr, sizeof(tr));
	else
		chain_write(head, len - sizeof(tr), &tr, sizeof(tr));
	g->seq++;
}

/*
 * Ask for the lines a frame of len bytes will be written to, with intent
 * to write: a buffer another core read last (a backend, through a pool
 * granted to it) would make each store wait for it. DPDK's
 * rte_prefetch0_write() is a no-op unless built with -mprfchw.
 */
static inline void
prefetch_frame(const struct rte_mbuf *m, uint32_t len)
{
	const char *p = rte_pktmbuf_mtod(m, const char *);
	uint32_t off;

	for (off = 0; off < len; off += RTE_CACHE_LINE_SIZE)
#ifdef RTE_ARCH_X86
		asm volatile("prefetchw %0" : : "m" (p[off]));
#else
		rte_prefetch0_write(p + off);
#endif
}

#define GEN_PREFETCH_AHEAD	4

uint16_t
gen_burst(struct gen *g, struct rte_mbuf **pkts, uint16_t n)
{
	struct rte_mbuf *segs[GEN_MAX_SEGS];
	uint16_t i, nseg;
	uint32_t len;

	if (g->max <= g->seg_room) {
		if (rte_pktmbuf_alloc_bulk(g->mp, pkts, n) != 0)
			return 0;
		for (i = 0; i < RTE_MIN(n, GEN_PREFETCH_AHEAD); i++)
			prefetch_frame(pkts[i], g->max);
		for (i = 0; i < n; i++) {
			if (i + GEN_PREFETCH_AHEAD < n)
				prefetch_frame(pkts[i + GEN_PREFETCH_AHEAD],
					       g->max);
			frame_build(g, &pkts[i], 1, next_size(g));
		}
		return n;
	}
	for (i = 0; i < n; i++) {
		len = next_size(g);
		nseg = (len + g->seg_room - 1) / g->seg_room;
		if (rte_pktmbuf_alloc_bulk(g->mp, segs, nseg) != 0)
			break;
		frame_build(g, segs, nseg, len);
		pkts[i] = segs[0];
	}
	return i;
}
