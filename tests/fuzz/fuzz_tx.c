/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * netfront_tx_burst and netfront_tx_reclaim against a backend whose
 * answers the input writes. The backend checks what the driver posts as
 * xensim's verifying netback does: a request id is unique among those in
 * flight, a copy request uses its own id's block, a packet arrives as the
 * application sent it, and a buffer does not change between the request
 * and its response (no reuse before the response).
 *
 * Input: header, then steps until the input ends.
 *   header: u8 flags (fq_cfg_parse), u16 mtu
 *   step:   u8 op, by op % 4:
 *     0 send:     u8 count, per packet u16 length (modulo the largest
 *                 frame + 64) and u8 segments (1-3, more if it needs)
 *     1 forward:  u8 count, u16 length: the backend fills that many RX
 *                 pages, the application sends what it receives (in
 *                 place when trusted)
 *     2 answer:   u8 slots (low 5 bits), u8 rsp_prod (as in fuzz_rx.c),
 *                 per slot u8 sctl (bit 0: a raw u16 id follows, else the
 *                 (sctl >> 1)th request in flight) and u8 status
 *                 (0xf0 ERROR, 0xf1 DROPPED, 0xf2 NULL, 0xff a raw s16
 *                 follows, else OKAY)
 *     3 reclaim
 * At the end a well-formed backend answers everything: every id is free
 * again unless the port stopped, and every mbuf is back.
 */
#include <string.h>

#include <rte_hash_crc.h>

#include "fuzz.h"
#include "fuzz_queues.h"

#define TX_BURST_MAX	16
#define TX_STEPS_MAX	64
#define TX_SERIALS	4096	/* packets an input may create */
#define TX_ROOM		(RTE_MBUF_DEFAULT_BUF_SIZE - RTE_PKTMBUF_HEADROOM)

struct inflight {
	uint16_t id;
	const uint8_t *buf;	/* what the request lets the backend read */
	uint32_t len;
	uint32_t crc;
};

static struct {
	struct inflight fl[NET_TX_RING_SIZE];
	unsigned int nfl;
	/* The packet being taken: its slots so far. */
	const uint8_t *seg[NETFRONT_MAX_SLOTS + 1];
	uint16_t seg_size[NETFRONT_MAX_SLOTS + 1];
	unsigned int nseg;
	uint32_t serial;
	uint32_t len[TX_SERIALS];	/* by serial: the length sent */
	/* The backend answered what it did not see: no more exact checks. */
	bool lost;
} be;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fq_init((*argv)[0]);
	return 0;
}

static uint8_t
pattern(uint32_t serial, uint32_t i)
{
	return (uint8_t)(serial * 13 + i * 7 + (i >> 8));
}

/* A packet body: its serial, then a pattern only that serial makes. */
static void
fill(uint8_t *p, uint32_t off, uint32_t n, uint32_t serial)
{
	uint32_t i;

	for (i = off; i < off + n; i++)
		p[i - off] = i < 4 ? (uint8_t)(serial >> (8 * i)) :
			     pattern(serial, i);
}

static uint32_t
new_serial(uint32_t len)
{
	uint32_t s = be.serial++ % TX_SERIALS;

	be.len[s] = len;
	return s;
}

/* The packet whose last slot was just taken, as the backend copies it. */
static void
check_packet(void)
{
	uint32_t total = be.seg_size[0], rest = 0, pos = 0, serial = 0;
	uint8_t byte;
	unsigned int k;
	uint32_t i;

	for (k = 1; k < be.nseg; k++)
		rest += be.seg_size[k];
	FZ_CHECK(rest < total, "slots hold %u bytes of a %u-byte packet",
		 rest, total);
	FZ_CHECK(total <= fq_max_frame(), "a %u-byte frame sent", total);
	for (k = 0; k < be.nseg; k++) {
		uint32_t n = k == 0 ? total - rest : be.seg_size[k];

		for (i = 0; i < n; i++, pos++) {
			byte = be.seg[k][i];
			if (pos < 4) {
				serial |= (uint32_t)byte << (8 * pos);
				continue;
			}
			if (pos == 4)
				FZ_CHECK(serial < TX_SERIALS &&
					 be.len[serial] == total,
					 "packet %u arrived with %u bytes",
					 serial, total);
			FZ_CHECK(byte == pattern(serial, pos),
				 "packet %u: byte %u changed", serial, pos);
		}
	}
}

/* Take every request posted since last time, checking each. */
static void
take_requests(void)
{
	struct netfront_txq *txq = fq.txq;
	netif_tx_back_ring_t *b = &fq.txb;
	const struct netfront_rxpool *pool = fq.rxq->pool;
	unsigned int k;

	while (b->req_cons != b->sring->req_prod &&
	       (int32_t)(b->rsp_prod_pvt - b->req_cons) <= 0) {
		netif_tx_request_t req = *RING_GET_REQUEST(b, b->req_cons++);
		uint8_t *pg = fq_page_of(req.gref);
		struct inflight *f = &be.fl[be.nfl];

		FZ_CHECK(req.id < NET_TX_RING_SIZE, "request id %u", req.id);
		for (k = 0; !be.lost && k < be.nfl; k++)
			FZ_CHECK(be.fl[k].id != req.id,
				 "id %u posted again while in flight", req.id);
		FZ_CHECK(pg != NULL, "id %u: gref %u was not granted", req.id,
			 req.gref);
		if (pg >= txq->blk.base && pg < txq->blk.base +
		    NETFRONT_TX_PAGES * NETFRONT_PAGE_SIZE) {
			FZ_CHECK(pg + req.offset == txq->blk.base +
				 (size_t)req.id * NETFRONT_TX_BLOCK,
				 "id %u does not use its own block", req.id);
			f->len = NETFRONT_TX_BLOCK;
		} else {
			FZ_CHECK(fq.ad.trusted && pg >= pool->base,
				 "id %u: untrusted yet sent in place", req.id);
			f->len = NETFRONT_PAGE_SIZE - req.offset;
		}
		FZ_CHECK(req.offset < NETFRONT_PAGE_SIZE &&
			 (be.nseg == 0 || req.size <= f->len),
			 "id %u: %u bytes at %u", req.id, req.size,
			 req.offset);
		f->id = req.id;
		f->buf = pg + req.offset;
		f->crc = rte_hash_crc(f->buf, f->len, 0);
		be.nfl++;
		FZ_CHECK(be.nseg <= NETFRONT_MAX_SLOTS, "a packet of %u slots",
			 be.nseg + 1);
		be.seg[be.nseg] = f->buf;
		be.seg_size[be.nseg++] = req.size;
		if (req.flags & NETTXF_more_data)
			continue;
		if (!be.lost)
			check_packet();
		be.nseg = 0;
	}
}

/* A response for id; if in flight, its buffer must be as it was posted. */
static void
answer(uint16_t id, int16_t status)
{
	netif_tx_back_ring_t *b = &fq.txb;
	netif_tx_response_t *rsp;
	bool posted = false;
	unsigned int k;

	for (k = 0; k < be.nfl && !posted; k++) {
		struct inflight *f = &be.fl[k];

		if (f->id != id)
			continue;
		FZ_CHECK(be.lost || rte_hash_crc(f->buf, f->len, 0) == f->crc,
			 "id %u: buffer changed before its response", id);
		be.fl[k] = be.fl[--be.nfl];
		posted = true;
	}
	/*
	 * Over a request not taken yet, it is lost to the backend; for an id
	 * not in flight, the driver may free whichever request has the id
	 * when it reads the response.
	 */
	if (b->req_cons != b->sring->req_prod || !posted)
		be.lost = true;
	rsp = RING_GET_RESPONSE(b, b->rsp_prod_pvt++);
	rsp->id = id;
	rsp->status = status;
}

static void
publish(RING_IDX prod)
{
	rte_smp_wmb();	/* responses before the producer index */
	if (prod != fq.txb.rsp_prod_pvt)
		be.lost = true;
	fq.txb.sring->rsp_prod = prod;
}

/* tx_burst; the application frees what it did not take. */
static void
app_send(struct rte_mbuf **pkts, uint16_t n)
{
	struct netfront_txq *txq = fq.txq;
	RING_IDX req_prod = txq->ring.sring->req_prod;
	bool failed = fq.ad.failed;
	uint16_t sent = netfront_tx_burst(txq, pkts, n);

	FZ_CHECK(sent <= n, "%u of %u sent", sent, n);
	if (failed)
		FZ_CHECK(sent == 0 && txq->ring.sring->req_prod == req_prod,
			 "a stopped port still sends");
	rte_pktmbuf_free_bulk(pkts + sent, n - sent);
}

static struct rte_mbuf *
app_packet(uint16_t len, uint8_t nsegs)
{
	struct rte_mbuf *head = NULL, *m;
	uint32_t serial = new_serial(len), off = 0;
	unsigned int k;

	for (k = 0; k < nsegs; k++) {
		uint16_t n = k + 1 == nsegs ? len - off : len / nsegs;

		m = rte_pktmbuf_alloc(fq.txmp);
		FZ_CHECK(m != NULL, "TX mempool empty");
		fill(rte_pktmbuf_mtod(m, uint8_t *), off, n, serial);
		m->data_len = n;
		off += n;
		if (head == NULL) {
			head = m;
		} else {
			rte_pktmbuf_lastseg(head)->next = m;
			head->nb_segs++;
		}
	}
	head->pkt_len = len;
	return head;
}

static void
op_send(struct fz_in *in)
{
	struct rte_mbuf *pkts[TX_BURST_MAX];
	uint16_t n = 1 + fz_u8(in) % TX_BURST_MAX, i;

	for (i = 0; i < n; i++) {
		uint16_t len = fz_u16(in) % (fq_max_frame() + 64);
		uint8_t segs = 1 + fz_u8(in) % 3;

		/* As many segments as asked for and the mbufs' room needs. */
		segs = RTE_MAX(segs, (len + TX_ROOM - 1) / TX_ROOM);
		pkts[i] = app_packet(len, RTE_MIN(segs, RTE_MAX(len, 1)));
	}
	app_send(pkts, n);
}

/* The backend fills RX pages, the application sends what it gets. */
static void
op_forward(struct fz_in *in)
{
	netif_rx_back_ring_t *b = &fq.rxb;
	struct rte_mbuf *pkts[TX_BURST_MAX];
	uint16_t n = 1 + fz_u8(in) % TX_BURST_MAX, len, i;

	len = RTE_ETHER_HDR_LEN + fz_u16(in) %
	      (RTE_MIN(fq_max_frame(), NETFRONT_PAGE_SIZE) -
	       RTE_ETHER_HDR_LEN + 1);
	for (i = 0; i < n && b->req_cons != b->sring->req_prod; i++) {
		netif_rx_request_t req = *RING_GET_REQUEST(b, b->req_cons++);
		netif_rx_response_t *rsp =
			RING_GET_RESPONSE(b, b->rsp_prod_pvt++);

		fill(fq_page_of(req.gref), 0, len, new_serial(len));
		rsp->id = req.id;
		rsp->offset = 0;
		rsp->flags = 0;
		rsp->status = len;
	}
	RING_PUSH_RESPONSES(b);
	n = netfront_rx_burst(fq.rxq, pkts, n);
	app_send(pkts, n);
}

static int16_t
status_of(struct fz_in *in)
{
	switch (fz_u8(in)) {
	case 0xf0:
		return NETIF_RSP_ERROR;
	case 0xf1:
		return NETIF_RSP_DROPPED;
	case 0xf2:
		return NETIF_RSP_NULL;
	case 0xff:
		return (int16_t)fz_u16(in);
	default:
		return NETIF_RSP_OKAY;
	}
}

static void
op_answer(struct fz_in *in)
{
	uint8_t n = fz_u8(in) & 31, pm = fz_u8(in), sc;
	RING_IDX prod;
	uint16_t id;
	unsigned int i;

	take_requests();
	for (i = 0; i < n; i++) {
		sc = fz_u8(in);
		if (sc & 1)
			id = fz_u16(in);
		else if (be.nfl > 0)
			id = be.fl[(sc >> 1) % be.nfl].id;
		else
			id = 0;
		answer(id, status_of(in));
	}
	prod = fq.txb.rsp_prod_pvt;
	if (pm == 0xff)
		prod = fz_u32(in);
	else if (pm >= 0xf0)
		prod += pm - 0xf7;
	publish(prod);
}

/* Ids are each free or in flight, once. */
static void
check_ids(void)
{
	const struct netfront_txq *txq = fq.txq;
	bool free_id[NET_TX_RING_SIZE] = { false };
	unsigned int i, busy = 0;

	for (i = 0; i < netfront_idpool_avail(&txq->ids); i++) {
		uint16_t id = txq->ids.free[i];

		FZ_CHECK(id < NET_TX_RING_SIZE && !free_id[id] &&
			 !txq->slot[id].busy, "id %u freed twice", id);
		free_id[id] = true;
	}
	for (i = 0; i < NET_TX_RING_SIZE; i++)
		busy += txq->slot[i].busy;
	FZ_CHECK(busy + netfront_idpool_avail(&txq->ids) == NET_TX_RING_SIZE,
		 "%u ids neither free nor in flight", NET_TX_RING_SIZE - busy -
		 netfront_idpool_avail(&txq->ids));
	for (i = 0; !be.lost && i < be.nfl; i++)
		FZ_CHECK(txq->slot[be.fl[i].id].busy,
			 "id %u freed before its response", be.fl[i].id);
}

/* A well-formed answer to everything: then every id is free. */
static void
drain(void)
{
	struct netfront_txq *txq = fq.txq;

	take_requests();
	while (be.nfl > 0)
		answer(be.fl[0].id, NETIF_RSP_OKAY);
	publish(fq.txb.rsp_prod_pvt);
	netfront_tx_reclaim(txq);
	check_ids();
	if (!fq.ad.failed && !be.lost)
		FZ_CHECK(netfront_idpool_avail(&txq->ids) == NET_TX_RING_SIZE &&
			 txq->zc_held == 0, "%u ids, %u pages still held",
			 NET_TX_RING_SIZE - netfront_idpool_avail(&txq->ids),
			 txq->zc_held);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	struct fq_cfg cfg;
	unsigned int i;

	if (fq_cfg_parse(&cfg, &in) != 0)
		return 0;
	memset(&be, 0, sizeof(be));
	fq_start(&cfg);
	for (i = 0; in.n > 0 && i < TX_STEPS_MAX; i++) {
		switch (fz_u8(&in) % 4) {
		case 0:
			op_send(&in);
			break;
		case 1:
			op_forward(&in);
			break;
		case 2:
			op_answer(&in);
			break;
		default:
			netfront_tx_reclaim(fq.txq);
			break;
		}
		check_ids();
	}
	drain();
	fq_stop();
	fq_check_leaks();
	return 0;
}
