/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * netfront_rx_burst over a response ring the input writes.
 *
 * Input: header, then steps until the input ends.
 *   header: fq_cfg_parse (fuzz_queues.h): u8 flags (trusted, SCATTER,
 *           backend sg, small mbufs, ring base near 2^32, pool size,
 *           offloads follow), u16 mtu (modulo the range the application
 *           may set), with flags bit 7: u8 offloads (RX checksums, IPv4
 *           checksums, LRO, ...), u16 max_lro_pkt_size
 *   step:   u8 slots (low 6 bits), u8 ctl (bits 0-4 burst size - 1,
 *           bit 5 the app holds what it gets until the end, bit 6 no
 *           burst, bit 7 the backend rewrites every page after it),
 *           u8 rsp_prod (< 0xf0: what was written, 0xf0-0xfe: that
 *           -7..+7, 0xff: a u32 follows), then per slot a u8 sctl:
 *           bit 2: an extra-info slot, 8 raw bytes follow (u8 type,
 *           u8 flags, 6 bytes of the union); it uses up the request
 *           posted at its slot, as netback's do. Else a response:
 *           bit 0: a raw u16 id follows, else the id of the request
 *           posted at this slot; bit 1: no data written; bit 3: the data
 *           starts with an Ethernet + IPv4 header, bit 4
 *           VLAN-tagged, bit 5 with a wrong checksum, bits 6-7 its IHL
 *           (5, 4, 15, 6); then u16 offset, u16 flags, u16 status: a
 *           netif_rx_response as raw fields.
 * Each packet the driver returns must be one the application can use;
 * untrusted, no later write by the backend may change it; a port that saw
 * a violation stays stopped; after each burst every page is in one place
 * (posted, free, or lent to a segment); at the end every mbuf and page is
 * back.
 */
#include <string.h>

#include <rte_ip.h>

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
static FZ_NO_COVERAGE uint32_t
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

/*
 * What RX IPv4 checksum offload must say of m, from the bytes its first
 * segment holds: GOOD and BAD only for an IPv4 header (untagged or one
 * VLAN tag) that the segment holds whole, or whose IHL is too short.
 */
static uint64_t
ipv4_verdict(const struct rte_mbuf *m)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t off = RTE_ETHER_HDR_LEN, len = m->data_len, ihl;
	uint16_t type;

	if (len < off)
		return RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN;
	type = p[12] << 8 | p[13];
	if (type == RTE_ETHER_TYPE_VLAN && len >= off + 4) {
		type = p[16] << 8 | p[17];
		off += 4;
	}
	if (type != RTE_ETHER_TYPE_IPV4 ||
	    len < off + sizeof(struct rte_ipv4_hdr))
		return RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN;
	ihl = (p[off] & 0xf) * 4;
	if (ihl < sizeof(struct rte_ipv4_hdr))
		return RTE_MBUF_F_RX_IP_CKSUM_BAD;
	if (len < off + ihl)
		return RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN;
	return rte_raw_cksum(p + off, ihl) == 0xffff ?
		RTE_MBUF_F_RX_IP_CKSUM_GOOD : RTE_MBUF_F_RX_IP_CKSUM_BAD;
}

static void
check_pkt(const struct rte_mbuf *m)
{
	const struct netfront_rxq *rxq = fq.rxq;
	const struct netfront_adapter *ad = &fq.ad;
	uint32_t room = rte_pktmbuf_data_room_size(rxq->mp) -
			RTE_PKTMBUF_HEADROOM;
	bool lro = m->ol_flags & RTE_MBUF_F_RX_LRO;
	/* A packet with a GSO extra is bounded by max_lro_pkt_size. */
	uint32_t max_len = lro ? ad->max_lro_len : fq_max_frame();
	unsigned int max_segs = !ad->rx_sg ? 1 : ad->trusted ?
		NETFRONT_MAX_SLOTS : (max_len + room - 1) / room;
	uint64_t ok_flags = RTE_MBUF_F_RX_L4_CKSUM_MASK | RTE_MBUF_F_EXTERNAL;
	uint64_t ip;
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
				 netfront_region_holds(&rxq->pool->reg, seg),
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
	FZ_CHECK(m->pkt_len >= RTE_ETHER_HDR_LEN && m->pkt_len <= max_len,
		 "%spkt_len %u outside %u..%u", lro ? "LRO " : "", m->pkt_len,
		 RTE_ETHER_HDR_LEN, max_len);
	if (ad->rx_gso)
		ok_flags |= RTE_MBUF_F_RX_LRO;
	if (ad->rx_ip_csum)
		ok_flags |= RTE_MBUF_F_RX_IP_CKSUM_MASK;
	FZ_CHECK((m->ol_flags & ~ok_flags) == 0, "ol_flags %#" PRIx64,
		 m->ol_flags);
	FZ_CHECK((m->tso_segsz != 0) == lro, "tso_segsz %u, LRO %d",
		 m->tso_segsz, lro);
	ip = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;
	if (ad->rx_ip_csum)
		FZ_CHECK(ip == ipv4_verdict(m), "IPv4 checksum flags %#" PRIx64
			 ", the header says %#" PRIx64, ip, ipv4_verdict(m));
}

/* The index of the pool's page that addr lies in. */
static uint16_t
page_index(const struct netfront_rxpool *pool, const void *addr)
{
	return ((uintptr_t)addr - (uintptr_t)pool->reg.base) >>
	       NETFRONT_PAGE_SHIFT;
}

static void
count_lent(uint8_t *cnt, const struct rte_mbuf *m)
{
	const struct netfront_rxpool *pool = fq.rxq->pool;

	for (; m != NULL; m = m->next)
		if (netfront_rxpool_of(m) == pool)
			cnt[page_index(pool, m->buf_addr)]++;
}

/*
 * Every request in flight has its page, every free id none; trusted,
 * every page is in one place: posted, in the free ring, or lent to a
 * segment of the packet being taken or of one the application holds.
 * An extra-info slot gives its request's page back.
 */
static FZ_NO_COVERAGE void
check_pages(void)
{
	struct netfront_rxq *rxq = fq.rxq;
	struct netfront_rxpool *pool = rxq->pool;
	uint32_t ring[FQ_RX_PAGES_MAX];
	uint8_t cnt[FQ_RX_PAGES_MAX] = { 0 };
	bool free_id[NET_RX_RING_SIZE] = { false };
	unsigned int i, n, posted = 0;

	for (i = 0; i < netfront_idpool_avail(&rxq->ids); i++)
		free_id[rxq->ids.free[i]] = true;
	for (i = 0; i < NET_RX_RING_SIZE; i++) {
		uint16_t pg = rxq->page[i];

		FZ_CHECK(free_id[i] == (pg == NETFRONT_NO_PAGE),
			 "id %u: %s, page %u", i, free_id[i] ? "free" :
			 "in flight", pg);
		if (pg == NETFRONT_NO_PAGE)
			continue;
		posted++;
		FZ_CHECK(pg < pool->reg.npages && (pool->free != NULL || pg == i),
			 "id %u posted with page %u", i, pg);
		cnt[pg]++;
	}
	FZ_CHECK(posted == rxq->ring.req_prod_pvt - rxq->ring.rsp_cons,
		 "%u ids in flight, %u requests unanswered", posted,
		 rxq->ring.req_prod_pvt - rxq->ring.rsp_cons);
	if (pool->free == NULL)
		return;
	/* Taken out and put back in the same order: nothing changes. */
	n = rte_ring_dequeue_burst_elem(pool->free, ring, sizeof(ring[0]),
					RTE_DIM(ring), NULL);
	FZ_CHECK(rte_ring_enqueue_bulk_elem(pool->free, ring, sizeof(ring[0]),
					    n, NULL) == n, "free ring");
	for (i = 0; i < n; i++)
		cnt[ring[i]]++;
	count_lent(cnt, rxq->head);
	for (i = 0; i < nheld; i++)
		count_lent(cnt, held[i]);
	for (i = 0; i < pool->reg.npages; i++)
		FZ_CHECK(cnt[i] == 1, "page %u is in %u places", i, cnt[i]);
}

/*
 * The start of a frame as sctl asks: Ethernet, maybe a VLAN tag, an IPv4
 * header of the IHL asked for, its checksum right or wrong. Returns its
 * length.
 */
static unsigned int
frame_header(uint8_t *h, uint8_t sc)
{
	static const uint8_t ihls[] = { 5, 4, 15, 6 };
	unsigned int off = 2 * RTE_ETHER_ADDR_LEN, ihl = ihls[sc >> 6];
	struct rte_ipv4_hdr *ip;
	uint16_t ck;

	memset(h, 0x5a, off);
	if (sc & 0x10) {
		h[off++] = RTE_ETHER_TYPE_VLAN >> 8;
		h[off++] = RTE_ETHER_TYPE_VLAN & 0xff;
		h[off++] = 0;
		h[off++] = 1;
	}
	h[off++] = RTE_ETHER_TYPE_IPV4 >> 8;
	h[off++] = RTE_ETHER_TYPE_IPV4 & 0xff;
	ip = (struct rte_ipv4_hdr *)(h + off);
	memset(ip, 0, ihl * 4);
	ip->version_ihl = 0x40 | ihl;
	ip->total_length = rte_cpu_to_be_16(ihl * 4);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_TCP;
	ip->src_addr = rte_cpu_to_be_32(0x0a000001);
	ip->dst_addr = rte_cpu_to_be_32(0x0a000002);
	ck = rte_raw_cksum(ip, ihl * 4);
	ip->hdr_checksum = (ck == 0xffff ? ck : (uint16_t)~ck) ^
			   (sc & 0x20 ? 1 : 0);
	return off + ihl * 4;
}

/*
 * One slot: a response, or an extra-info slot. Either answers the request
 * posted at its ring slot (none if the driver posted none there); the
 * backend copies data into that request's page if asked.
 */
static void
write_slot(struct fz_in *in)
{
	netif_rx_back_ring_t *b = &fq.rxb;
	uint8_t sc = fz_u8(in), h[18 + 60];
	netif_rx_request_t req = { .gref = UINT32_MAX };
	netif_rx_response_t rsp;
	unsigned int hlen, i;

	if (sc & 4) {
		uint8_t *ex = (uint8_t *)RING_GET_RESPONSE(b,
							   b->rsp_prod_pvt++);

		for (i = 0; i < sizeof(netif_extra_info_t); i++)
			ex[i] = fz_u8(in);
		return;
	}
	if ((int32_t)(b->sring->req_prod - b->rsp_prod_pvt) > 0)
		req = *RING_GET_REQUEST(b, b->rsp_prod_pvt);
	rsp.id = sc & 1 ? fz_u16(in) : req.gref != UINT32_MAX ? req.id : 0;
	rsp.offset = fz_u16(in);
	rsp.flags = fz_u16(in);
	rsp.status = (int16_t)fz_u16(in);
	/* A raw id claims another request: its data goes nowhere. */
	if (req.gref != UINT32_MAX && !(sc & 1)) {
		uint8_t *pg = fq_page_of(req.gref);

		FZ_CHECK(pg != NULL && pg >= fq.rxq->pool->reg.base,
			 "RX request %u: gref %u is no RX page", req.id,
			 req.gref);
		if (!(sc & 2) && rsp.status > 0 &&
		    rsp.offset + rsp.status <= (int)NETFRONT_PAGE_SIZE) {
			memset(pg + rsp.offset, fill++, rsp.status);
			if (sc & 8) {
				hlen = frame_header(h, sc);
				memcpy(pg + rsp.offset, h,
				       RTE_MIN(hlen, (unsigned int)rsp.status));
			}
		}
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
		memset(pool->reg.base, 0xee,
		       (size_t)pool->reg.npages * NETFRONT_PAGE_SIZE);
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
	check_pages();
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
