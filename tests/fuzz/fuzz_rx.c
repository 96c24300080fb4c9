/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * netfront_rx_burst over a response ring the input writes.
 *
 * Input: header, then steps until the input ends.
 *   header: u8 flags (fq_cfg_parse: trusted, SCATTER, backend sg, small
 *           mbufs, ring base near 2^32, pool size), u16 mtu (modulo the
 *           range the application may set)
 *   step:   u8 slots (low 6 bits), u8 ctl (bits 0-4 burst size - 1,
 *           bit 5 the app holds what it gets until the end, bit 6 no
 *           burst, bit 7 the backend rewrites every page after it),
 *           u8 rsp_prod (< 0xf0: what was written, 0xf0-0xfe: that
 *           -7..+7, 0xff: a u32 follows), then per slot:
 *           u8 sctl (bit 0: a raw u16 id follows, else the id of the
 *           next request; bit 1: no data written), u16 offset,
 *           u16 flags, u16 status: a netif_rx_response as raw fields.
 * Each packet the driver returns must be one the application can use;
 * untrusted, no later write by the backend may change it; a port that saw
 * a violation stays stopped; at the end every mbuf and page is back.
 */
#include <string.h>

#include "fuzz.h"
#include "fuzz_queues.h"

#define RX_BURST_MAX	32
#define RX_HOLD_MAX	128
#define RX_STEPS_MAX	64

static struct rte_mbuf *held[RX_HOLD_MAX];
static unsigned int nheld;
static uint8_t fill;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fq_init((*argv)[0]);
	return 0;
}

/* Reads every byte the application may read (ASan: all of it valid). */
static uint32_t
pkt_sum(const struct rte_mbuf *m)
{
	uint32_t sum = 0;
	uint16_t i;

	for (; m != NULL; m = m->next) {
		const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);

		for (i = 0; i < m->data_len; i++)
			sum = sum * 31 + p[i];
	}
	return sum;
}

static void
check_pkt(const struct rte_mbuf *m)
{
	const struct netfront_rxq *rxq = fq.rxq;
	const struct netfront_adapter *ad = &fq.ad;
	uint32_t room = rte_pktmbuf_data_room_size(rxq->mp) -
			RTE_PKTMBUF_HEADROOM;
	unsigned int max_segs = !ad->rx_sg ? 1 : ad->trusted ?
		NETFRONT_MAX_SLOTS : (fq_max_frame() + room - 1) / room;
	const struct rte_mbuf *seg;
	unsigned int segs = 0;
	uint32_t len = 0;

	for (seg = m; seg != NULL; seg = seg->next) {
		segs++;
		FZ_CHECK(segs <= max_segs, "more than %u segments", max_segs);
		FZ_CHECK(seg->data_len > 0, "empty segment %u", segs);
		FZ_CHECK((uint32_t)seg->data_off + seg->data_len <= seg->buf_len,
			 "segment %u: data %u+%u past its %u-byte buffer", segs,
			 seg->data_off, seg->data_len, seg->buf_len);
		FZ_CHECK(seg->pool == rxq->mp, "mbuf not from the app's pool");
		if (ad->trusted)
			FZ_CHECK(netfront_rxpool_of(seg) == rxq->pool &&
				 netfront_rxpool_holds(rxq->pool, seg),
				 "trusted segment outside the queue's pages");
		else
			FZ_CHECK(RTE_MBUF_DIRECT(seg),
				 "untrusted segment is not the app's memory");
		len += seg->data_len;
	}
	FZ_CHECK(segs == m->nb_segs, "nb_segs %u, %u in the chain",
		 m->nb_segs, segs);
	FZ_CHECK(len == m->pkt_len, "pkt_len %u, segments hold %u",
		 m->pkt_len, len);
	FZ_CHECK(m->pkt_len >= RTE_ETHER_HDR_LEN &&
		 m->pkt_len <= fq_max_frame(), "pkt_len %u outside %u..%u",
		 m->pkt_len, RTE_ETHER_HDR_LEN, fq_max_frame());
	FZ_CHECK((m->ol_flags & ~(RTE_MBUF_F_RX_L4_CKSUM_MASK |
				  RTE_MBUF_F_EXTERNAL)) == 0,
		 "ol_flags %#" PRIx64, m->ol_flags);
}

/* One response slot; the backend copies data into its page if asked. */
static void
write_slot(struct fz_in *in)
{
	netif_rx_back_ring_t *b = &fq.rxb;
	uint8_t sc = fz_u8(in);
	netif_rx_request_t req = { .gref = UINT32_MAX };
	netif_rx_response_t rsp;

	if (sc & 1) {
		rsp.id = fz_u16(in);
	} else if (b->req_cons != b->sring->req_prod &&
		   (int32_t)(b->rsp_prod_pvt - b->req_cons) <= 0) {
		/* A request no response was written over yet. */
		req = *RING_GET_REQUEST(b, b->req_cons++);
		rsp.id = req.id;
	} else {
		rsp.id = 0;
	}
	rsp.offset = fz_u16(in);
	rsp.flags = fz_u16(in);
	rsp.status = (int16_t)fz_u16(in);
	if (req.gref != UINT32_MAX) {
		uint8_t *pg = fq_page_of(req.gref);

		FZ_CHECK(pg != NULL && pg >= fq.rxq->pool->base,
			 "RX request %u: gref %u is no RX page", req.id,
			 req.gref);
		if (!(sc & 2) && rsp.status > 0 &&
		    rsp.offset + rsp.status <= (int)NETFRONT_PAGE_SIZE)
			memset(pg + rsp.offset, fill++, rsp.status);
	}
	*RING_GET_RESPONSE(b, b->rsp_prod_pvt++) = rsp;
}

static void
burst(uint16_t nb, bool hold, bool rewrite)
{
	struct netfront_rxq *rxq = fq.rxq;
	netif_rx_front_ring_t *r = &rxq->ring;
	struct netfront_rxpool *pool = rxq->pool;
	struct rte_mbuf *pkts[RX_BURST_MAX];
	uint32_t sum[RX_BURST_MAX];
	RING_IDX cons = r->rsp_cons, prod = r->sring->rsp_prod;
	RING_IDX req_prod = r->sring->req_prod;
	uint64_t notifies = rxq->st.notifies, packets = rxq->st.packets;
	bool failed = fq.ad.failed;
	uint16_t got, i;

	got = netfront_rx_burst(rxq, pkts, nb);
	FZ_CHECK(got <= nb, "%u packets for a burst of %u", got, nb);
	FZ_CHECK(r->rsp_cons - cons <= prod - cons,
		 "consumed %u responses, %u published", r->rsp_cons - cons,
		 prod - cons);
	FZ_CHECK(rxq->st.packets - packets == got, "packets counted");
	if (failed)
		FZ_CHECK(got == 0 && r->sring->req_prod == req_prod &&
			 rxq->st.notifies == notifies,
			 "a stopped port still receives or refills");
	if (fq.ad.failed)
		FZ_CHECK(fq.data.dev_link.link_status == RTE_ETH_LINK_DOWN,
			 "violation with the link up");
	for (i = 0; i < got; i++) {
		check_pkt(pkts[i]);
		sum[i] = pkt_sum(pkts[i]);
	}
	if (rewrite) {
		memset(pool->base, 0xee,
		       (size_t)pool->npages * NETFRONT_PAGE_SIZE);
		for (i = 0; !fq.ad.trusted && i < got; i++)
			FZ_CHECK(pkt_sum(pkts[i]) == sum[i],
				 "untrusted: the backend rewrote a packet the "
				 "application holds");
	}
	for (i = 0; i < got; i++) {
		if (hold && nheld < RX_HOLD_MAX)
			held[nheld++] = pkts[i];
		else
			rte_pktmbuf_free(pkts[i]);
	}
}

static void
step(struct fz_in *in)
{
	netif_rx_back_ring_t *b = &fq.rxb;
	uint8_t n = fz_u8(in) & 63, ctl = fz_u8(in), pm = fz_u8(in);
	RING_IDX prod;
	unsigned int i;

	for (i = 0; i < n; i++)
		write_slot(in);
	prod = b->rsp_prod_pvt;
	if (pm == 0xff)
		prod = fz_u32(in);
	else if (pm >= 0xf0)
		prod += pm - 0xf7;
	rte_smp_wmb();	/* responses before the producer index */
	b->sring->rsp_prod = prod;
	if (!(ctl & 0x40))
		burst(1 + (ctl & 31), ctl & 0x20, ctl & 0x80);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	struct fq_cfg cfg;
	unsigned int i;

	if (fq_cfg_parse(&cfg, &in) != 0)
		return 0;
	fq_start(&cfg);
	for (i = 0; in.n > 0 && i < RX_STEPS_MAX; i++)
		step(&in);
	fq_stop();
	/* Trusted, held pages outlive the queue: still mapped and readable. */
	for (i = 0; i < nheld; i++) {
		pkt_sum(held[i]);
		rte_pktmbuf_free(held[i]);
	}
	nheld = 0;
	fq_check_leaks();
	return 0;
}
