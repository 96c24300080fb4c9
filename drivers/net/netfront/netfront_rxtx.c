/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The burst functions. Every response is copied once into a local and
 * checked before use: the backend is not trusted. A violation is counted,
 * logged once per queue and stops the port instead of being followed.
 */
#include <ethdev_driver.h>
#include <rte_branch_prediction.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "xenplat.h"
#include "netfront.h"

/* Refill the RX ring once at least this many slots are free. */
#define RX_REFILL_MIN	32
/* Reclaim TX responses once fewer ids than this are free. */
#define TX_RECLAIM_MIN	64
#define TX_BLOCK_SHIFT	11
/* Copied mbufs freed together. */
#define TX_FREE_BULK	64
/* Packets ahead whose copy block is prefetched (one id each, mostly). */
#define TX_PREFETCH_AHEAD	4
/* Requests in a cache line, rounded down. */
#define TX_REQS_PER_LINE \
	(RTE_CACHE_LINE_SIZE / sizeof(union netif_tx_sring_entry))

static const char *const viol_what[NETFRONT_VIOL_MAX] = {
	[NETFRONT_VIOL_RSP_PROD] = "response producer beyond the requests",
	[NETFRONT_VIOL_RSP_ID] = "response id out of range or not in flight",
	[NETFRONT_VIOL_RSP_SIZE] = "response offset/size outside the buffer",
	[NETFRONT_VIOL_RSP_STATUS] = "unknown response status",
	[NETFRONT_VIOL_RSP_FLAGS] = "unexpected extra info or too many slots",
};

static void __rte_cold
violation(struct netfront_adapter *ad, bool *violated,
	  struct netfront_qstats *st, enum netfront_viol v, const char *dir,
	  uint16_t qid, int val)
{
	struct rte_eth_link link = { .link_status = RTE_ETH_LINK_DOWN };

	st->viol[v]++;
	ad->failed = true;
	if (*violated)
		return;
	*violated = true;
	PMD_DRV_LOG(ERR, "vif%u %sq%u: backend protocol violation: %s (%d); "
		    "port stopped", ad->args.vif, dir, qid, viol_what[v], val);
	rte_eth_linkstatus_set(ad->dev, &link);
}

void
netfront_rx_refill(struct netfront_rxq *rxq)
{
	netif_rx_front_ring_t *r = &rxq->ring;
	struct rte_mempool *mp;
	struct rte_mbuf *m[NET_RX_RING_SIZE];
	unsigned int n, i;
	int notify;

	n = NET_RX_RING_SIZE - (r->req_prod_pvt - r->rsp_cons);
	n = RTE_MIN(n, netfront_idpool_avail(&rxq->ids));
	/* In bulk: one push, one look at the event index per batch. */
	if (n < RX_REFILL_MIN && r->req_prod_pvt != r->rsp_cons)
		return;
	mp = netfront_rxpool_mempool(rxq->pool);
	if (rte_pktmbuf_alloc_bulk(mp, m, n) != 0) {
		/* The application holds many pages: take what is left. */
		rxq->st.nombuf_or_zc++;
		n = RTE_MIN(n, rte_mempool_avail_count(mp));
		if (n == 0 || rte_pktmbuf_alloc_bulk(mp, m, n) != 0)
			return;
	}
	for (i = 0; i < n; i++) {
		netif_rx_request_t *req;
		uint16_t id = netfront_idpool_get(&rxq->ids);

		rxq->slot[id] = m[i];
		req = RING_GET_REQUEST(r, r->req_prod_pvt);
		req->id = id;
		req->gref = netfront_rxpool_gref(rxq->pool, m[i]);
		r->req_prod_pvt++;
	}
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(r, notify);
	if (notify) {
		rxq->st.notifies++;
		xenplat_evtchn_notify(rxq->evtchn);
	}
}

static inline uint64_t
rx_csum_flags(uint16_t flags)
{
	/*
	 * csum_blank: the sender left the checksum field unfilled but the
	 * data is intact, which is exactly DPDK's L4_CKSUM_NONE ("checksum in
	 * the packet is wrong, data integrity is verified"); it must not look
	 * GOOD. We ask for full checksums (feature-no-csum-offload), so this
	 * only happens with a backend that ignores that.
	 */
	if (flags & NETRXF_csum_blank)
		return RTE_MBUF_F_RX_IP_CKSUM_GOOD |
		       RTE_MBUF_F_RX_L4_CKSUM_NONE;
	if (flags & NETRXF_data_validated)
		return RTE_MBUF_F_RX_IP_CKSUM_GOOD |
		       RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	return 0;
}

/* Check one response; -1 after a violation. */
static inline int
rx_check(struct netfront_rxq *rxq, const netif_rx_response_t *rsp)
{
	enum netfront_viol v;
	int val;

	if (unlikely(rsp->id >= NET_RX_RING_SIZE ||
		     rxq->slot[rsp->id] == NULL)) {
		v = NETFRONT_VIOL_RSP_ID;
		val = rsp->id;
	} else if (unlikely(rsp->flags & NETRXF_extra_info)) {
		v = NETFRONT_VIOL_RSP_FLAGS;
		val = rsp->flags;
	} else if (unlikely(rsp->status < 0 &&
			    rsp->status != NETIF_RSP_ERROR &&
			    rsp->status != NETIF_RSP_DROPPED)) {
		v = NETFRONT_VIOL_RSP_STATUS;
		val = rsp->status;
	} else if (unlikely(rsp->status >= 0 && (unsigned int)rsp->offset +
			    rsp->status > NETFRONT_PAGE_SIZE)) {
		v = NETFRONT_VIOL_RSP_SIZE;
		val = rsp->offset + rsp->status;
	} else if (unlikely(rxq->head != NULL &&
			    rxq->nseg >= NETFRONT_MAX_SLOTS)) {
		v = NETFRONT_VIOL_RSP_FLAGS;
		val = rxq->nseg + 1;
	} else {
		return 0;
	}
	violation(rxq->ad, &rxq->violated, &rxq->st, v, "rx", rxq->qid, val);
	return -1;
}

static inline void
rx_drop_partial(struct netfront_rxq *rxq)
{
	rte_pktmbuf_free(rxq->head);
	rxq->head = NULL;
}

uint16_t
netfront_rx_burst(void *queue, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	struct netfront_rxq *rxq = queue;
	netif_rx_front_ring_t *r = &rxq->ring;
	uint16_t port = rxq->ad->dev->data->port_id;
	RING_IDX cons, prod;
	uint16_t nb = 0;

	if (unlikely(rxq->ad->failed))
		return 0;
	prod = r->sring->rsp_prod;
	rte_smp_rmb();	/* responses after the producer index */
	cons = r->rsp_cons;
	if (unlikely(prod - cons > r->req_prod_pvt - cons)) {
		violation(rxq->ad, &rxq->violated, &rxq->st,
			  NETFRONT_VIOL_RSP_PROD, "rx", rxq->qid,
			  (int)(prod - cons));
		return 0;
	}
	while (cons != prod && nb < nb_pkts) {
		netif_rx_response_t rsp =
			*(volatile netif_rx_response_t *)
			RING_GET_RESPONSE(r, cons);
		struct rte_mbuf *m;

		if (rx_check(rxq, &rsp) != 0)
			break;
		m = rxq->slot[rsp.id];
		rxq->slot[rsp.id] = NULL;
		netfront_idpool_put(&rxq->ids, rsp.id);
		cons++;

		if (unlikely(rsp.status < 0 || rxq->discard)) {
			/* Drop the whole packet this slot belongs to. */
			rte_pktmbuf_free(m);
			rx_drop_partial(rxq);
			rxq->discard = rsp.flags & NETRXF_more_data;
			rxq->st.errors += rsp.status < 0;
			continue;
		}
		m->data_off = rsp.offset;
		m->data_len = rsp.status;
		if (rxq->head == NULL) {
			m->pkt_len = rsp.status;
			m->port = port;
			/* Keep RTE_MBUF_F_EXTERNAL: a pinned page. */
			m->ol_flags |= rx_csum_flags(rsp.flags);
			rxq->head = m;
			rxq->nseg = 1;
		} else {
			rxq->tail->next = m;
			rxq->head->nb_segs++;
			rxq->head->pkt_len += rsp.status;
			rxq->nseg++;
		}
		rxq->tail = m;
		if (rsp.flags & NETRXF_more_data)
			continue;
		rxq->st.packets++;
		rxq->st.bytes += rxq->head->pkt_len;
		pkts[nb++] = rxq->head;
		rxq->head = NULL;
	}
	r->rsp_cons = cons;
	netfront_rx_refill(rxq);
	return nb;
}

void
netfront_tx_reclaim(struct netfront_txq *txq)
{
	netif_tx_front_ring_t *r = &txq->ring;
	RING_IDX cons, prod;

	prod = r->sring->rsp_prod;
	rte_smp_rmb();	/* responses after the producer index */
	cons = r->rsp_cons;
	if (unlikely(prod - cons > r->req_prod_pvt - cons)) {
		violation(txq->ad, &txq->violated, &txq->st,
			  NETFRONT_VIOL_RSP_PROD, "tx", txq->qid,
			  (int)(prod - cons));
		return;
	}
	for (; cons != prod; cons++) {
		netif_tx_response_t rsp =
			*(volatile netif_tx_response_t *)
			RING_GET_RESPONSE(r, cons);
		struct netfront_tx_slot *s;

		/* Answers an extra-info slot; we never send any. */
		if (rsp.status == NETIF_RSP_NULL)
			continue;
		if (unlikely(rsp.id >= NET_TX_RING_SIZE ||
			     !txq->slot[rsp.id].busy)) {
			violation(txq->ad, &txq->violated, &txq->st,
				  NETFRONT_VIOL_RSP_ID, "tx", txq->qid,
				  rsp.id);
			break;
		}
		if (unlikely(rsp.status != NETIF_RSP_OKAY &&
			     rsp.status != NETIF_RSP_ERROR &&
			     rsp.status != NETIF_RSP_DROPPED)) {
			violation(txq->ad, &txq->violated, &txq->st,
				  NETFRONT_VIOL_RSP_STATUS, "tx", txq->qid,
				  rsp.status);
			break;
		}
		txq->st.errors += rsp.status != NETIF_RSP_OKAY;
		/* Only now may this id's buffer be used again. */
		s = &txq->slot[rsp.id];
		if (s->m != NULL)
			rte_pktmbuf_free_seg(s->m);
		s->m = NULL;
		s->busy = false;
		netfront_idpool_put(&txq->ids, rsp.id);
	}
	r->rsp_cons = cons;
}

/* Take an id for the next request; zc is held until it is answered. */
static inline uint16_t
tx_slot(struct netfront_txq *txq, struct rte_mbuf *zc,
	netif_tx_request_t **req)
{
	uint16_t id = netfront_idpool_get(&txq->ids);
	struct netfront_tx_slot *s = &txq->slot[id];

	s->m = zc;
	s->busy = true;
	*req = RING_GET_REQUEST(&txq->ring, txq->ring.req_prod_pvt++);
	(*req)->id = id;
	return id;
}

static inline uint8_t *
tx_block(const struct netfront_txq *txq, uint16_t id)
{
	return txq->blk.base + ((size_t)id << TX_BLOCK_SHIFT);
}

/*
 * A request for size bytes in the block of a new id, the packet's last
 * slot so far; dst is where they go.
 */
static inline netif_tx_request_t *
tx_block_req(struct netfront_txq *txq, uint16_t size, uint8_t **dst)
{
	netif_tx_request_t *req;
	uint16_t id = tx_slot(txq, NULL, &req);

	req->gref = txq->blk.refs[id >> 1];
	req->offset = (id & 1) << TX_BLOCK_SHIFT;
	req->size = size;
	req->flags = 0;
	*dst = tx_block(txq, id);
	return req;
}

/* Copy the packet into as many 2 KiB blocks as it needs. */
static void
tx_copy_chain(struct netfront_txq *txq, const struct rte_mbuf *m)
{
	const struct rte_mbuf *seg = m;
	uint32_t left = m->pkt_len, seg_off = 0;
	netif_tx_request_t *req = NULL;

	while (left > 0) {
		uint32_t chunk = RTE_MIN(left, NETFRONT_TX_BLOCK);
		uint32_t done = 0;
		uint8_t *dst;

		if (req != NULL)
			req->flags = NETTXF_more_data;
		/* The first slot carries the whole packet's size. */
		req = tx_block_req(txq, left == m->pkt_len ? m->pkt_len :
				   chunk, &dst);
		while (done < chunk) {
			uint32_t n = RTE_MIN(chunk - done,
					     (uint32_t)seg->data_len - seg_off);

			rte_memcpy(dst + done, rte_pktmbuf_mtod_offset(seg,
				   const uint8_t *, seg_off), n);
			done += n;
			seg_off += n;
			if (seg_off == seg->data_len) {
				seg = seg->next;
				seg_off = 0;
			}
		}
		left -= chunk;
	}
}

/* The common case: one segment that fits one block, one copy. */
static inline void
tx_copy_one(struct netfront_txq *txq, const struct rte_mbuf *m)
{
	uint8_t *dst;

	tx_block_req(txq, m->data_len, &dst);
	rte_memcpy(dst, rte_pktmbuf_mtod(m, const void *), m->data_len);
}

/* Post the segments in place: they lie in pages granted to our backend. */
static void
tx_zerocopy(struct netfront_txq *txq, const struct netfront_rxpool *pool,
	    struct rte_mbuf *m)
{
	netif_tx_request_t *req = NULL;
	uint32_t pkt_len = m->pkt_len;
	struct rte_mbuf *seg, *next;

	for (seg = m; seg != NULL; seg = next) {
		next = seg->next;
		if (req != NULL)
			req->flags = NETTXF_more_data;
		tx_slot(txq, seg, &req);
		req->gref = netfront_rxpool_gref(pool, seg);
		req->offset = seg->data_off;
		req->size = seg == m ? pkt_len : seg->data_len;
		req->flags = 0;
	}
}

/* The RX pool m's data lies in, if it is granted to this backend. */
static inline const struct netfront_rxpool *
tx_zc_pool(struct netfront_txq *txq, const struct rte_mbuf *m)
{
	const struct netfront_rxpool *pool;
	const struct rte_mbuf *seg;

	if (m->pool != txq->zc_mp) {
		txq->zc_mp = m->pool;
		txq->zc_pool = netfront_rxpool_lookup(m->pool, txq->ad);
	}
	pool = txq->zc_pool;
	if (pool == NULL ||
	    m->nb_segs > (txq->ad->feat.sg ? NETFRONT_MAX_SLOTS : 1))
		return NULL;
	for (seg = m; seg != NULL; seg = seg->next)
		if (seg->pool != m->pool || seg->data_len == 0 ||
		    !netfront_rxpool_holds(pool, seg))
			return NULL;
	return pool;
}

/*
 * Ask, with intent to write, for lines that the backend read last: the
 * block a packet further on is copied into, the ring slots this burst
 * fills. Each is a cross-core miss that the stores would otherwise queue
 * up behind. DPDK's rte_prefetch0_write() is __builtin_prefetch(p, 1),
 * which GCC drops unless -mprfchw, and DPDK builds for corei7; x86 CPUs
 * without PREFETCHW run it as a NOP.
 */
static inline void
prefetch_w(const void *p)
{
#ifdef RTE_ARCH_X86
	asm volatile("prefetchw %0" : : "m" (*(const volatile char *)p));
#else
	rte_prefetch0_write(p);
#endif
}

/* The lines of the block that the packet ahead will copy len bytes into. */
static inline void
tx_prefetch_block(const struct netfront_txq *txq, uint16_t ahead,
		  uint32_t len)
{
	uint16_t top = netfront_idpool_avail(&txq->ids);
	const uint8_t *b;
	uint32_t off;

	if (top <= ahead)
		return;
	b = tx_block(txq, txq->ids.free[top - 1 - ahead]);
	len = RTE_MIN(len, NETFRONT_TX_BLOCK);
	for (off = 0; off < len; off += RTE_CACHE_LINE_SIZE)
		prefetch_w(b + off);
}

static inline void
tx_prefetch_ring(const struct netfront_txq *txq, unsigned int n)
{
	const netif_tx_front_ring_t *r = &txq->ring;
	unsigned int k;

	n = RTE_MIN(n, (unsigned int)netfront_idpool_avail(&txq->ids));
	for (k = 0; k < n; k += TX_REQS_PER_LINE)
		prefetch_w(RING_GET_REQUEST(r, r->req_prod_pvt + k));
}

/* Free what was copied, in bulk: cheaper than one free per packet. */
static inline void
tx_flush_copied(struct rte_mbuf **copied, unsigned int *n)
{
	if (*n == 0)
		return;
	rte_pktmbuf_free_bulk(copied, *n);
	*n = 0;
}

uint16_t
netfront_tx_burst(void *queue, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	struct netfront_txq *txq = queue;
	uint32_t max_len = txq->ad->dev->data->mtu + NETFRONT_FRAME_OVERHEAD;
	uint32_t gen = netfront_rxpool_generation();
	struct rte_mbuf *copied[TX_FREE_BULK];
	unsigned int nb_copied = 0;
	RING_IDX posted = txq->ring.req_prod_pvt;
	uint16_t i;
	int notify;

	if (unlikely(txq->ad->failed))
		return 0;
	if (netfront_idpool_avail(&txq->ids) < TX_RECLAIM_MIN)
		netfront_tx_reclaim(txq);
	if (unlikely(txq->zc_gen != gen)) {
		txq->zc_gen = gen;
		txq->zc_mp = NULL;
		txq->zc_pool = NULL;
	}
	tx_prefetch_ring(txq, nb_pkts);
	for (i = 0; i < RTE_MIN(nb_pkts, TX_PREFETCH_AHEAD); i++)
		tx_prefetch_block(txq, i, pkts[i]->pkt_len);
	for (i = 0; i < nb_pkts; i++) {
		struct rte_mbuf *m = pkts[i];
		const struct netfront_rxpool *pool = tx_zc_pool(txq, m);
		uint32_t need = pool != NULL ? m->nb_segs :
			(m->pkt_len + NETFRONT_TX_BLOCK - 1) >> TX_BLOCK_SHIFT;

		if (unlikely(m->pkt_len == 0 || m->pkt_len > max_len)) {
			txq->st.errors++;
			rte_pktmbuf_free(m);
			continue;
		}
		if (i + TX_PREFETCH_AHEAD < nb_pkts)
			tx_prefetch_block(txq, TX_PREFETCH_AHEAD,
					  pkts[i + TX_PREFETCH_AHEAD]->pkt_len);
		if (need > netfront_idpool_avail(&txq->ids)) {
			netfront_tx_reclaim(txq);
			if (txq->ad->failed ||
			    need > netfront_idpool_avail(&txq->ids))
				break;
		}
		txq->st.packets++;
		txq->st.bytes += m->pkt_len;
		if (pool != NULL) {
			txq->st.nombuf_or_zc++;
			tx_zerocopy(txq, pool, m);
			continue;
		}
		if (likely(m->nb_segs == 1 && need == 1))
			tx_copy_one(txq, m);
		else
			tx_copy_chain(txq, m);
		copied[nb_copied++] = m;
		if (nb_copied == TX_FREE_BULK)
			tx_flush_copied(copied, &nb_copied);
	}
	tx_flush_copied(copied, &nb_copied);
	/* Nothing new: leave the shared index line to the backend. */
	if (txq->ring.req_prod_pvt == posted)
		return i;
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&txq->ring, notify);
	if (notify) {
		txq->st.notifies++;
		xenplat_evtchn_notify(txq->evtchn);
	}
	return i;
}
