/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The burst functions. Every response is copied once into a local and
 * checked before use: the backend is not trusted. A violation is counted,
 * logged once per queue and stops the port instead of being followed.
 */
#include <string.h>

#include <ethdev_driver.h>
#include <rte_branch_prediction.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

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
	[NETFRONT_VIOL_RSP_SIZE] = "empty response or one outside its page",
	[NETFRONT_VIOL_RSP_STATUS] = "unknown response status",
	[NETFRONT_VIOL_RSP_FLAGS] =
		"extra info, or more slots than offered or allowed",
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
	if (ad->link_lost != NULL)
		ad->link_lost(ad);
}

void
netfront_rx_refill(struct netfront_rxq *rxq)
{
	netif_rx_front_ring_t *r = &rxq->ring;
	struct netfront_rxpool *pool = rxq->pool;
	uint32_t pg[NET_RX_RING_SIZE];
	unsigned int n, i;
	int notify;

	n = NET_RX_RING_SIZE - (r->req_prod_pvt - r->rsp_cons);
	/* In bulk: one push, one look at the event index per batch. */
	if (n < RX_REFILL_MIN && r->req_prod_pvt != r->rsp_cons)
		return;
	if (pool->free != NULL) {
		n = rte_ring_sc_dequeue_burst_elem(pool->free, pg, sizeof(pg[0]),
						   n, NULL);
		/* The application holds the pages: it is not freeing them. */
		if (n < RX_REFILL_MIN)
			rxq->st.nombuf_or_zc++;
	}
	for (i = 0; i < n; i++) {
		netif_rx_request_t *req;
		uint16_t id = netfront_idpool_get(&rxq->ids);

		/* Untrusted, page id serves request id and nothing else. */
		rxq->page[id] = pool->free != NULL ? pg[i] : id;
		req = RING_GET_REQUEST(r, r->req_prod_pvt);
		req->id = id;
		req->gref = pool->refs[rxq->page[id]];
		r->req_prod_pvt++;
	}
	if (n == 0)
		return;
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(r, notify);
	if (notify) {
		rxq->st.notifies++;
		xenplat_evtchn_notify(rxq->evtchn);
	}
}

/*
 * Only what the backend can vouch for: Linux netback sets data_validated
 * from the sending guest's word about L4, and csum_blank means the data is
 * intact but the L4 checksum field was never filled. Nothing says the IP
 * header checksum was checked.
 */
static inline uint64_t
rx_csum_flags(uint16_t flags)
{
	if (flags & NETRXF_csum_blank)
		return RTE_MBUF_F_RX_L4_CKSUM_NONE;
	if (flags & NETRXF_data_validated)
		return RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	return 0;
}

/* Check one response; -1 after a violation. */
static inline int
rx_check(struct netfront_rxq *rxq, const netif_rx_response_t *rsp)
{
	enum netfront_viol v;
	int val;

	if (unlikely(rsp->id >= NET_RX_RING_SIZE ||
		     rxq->page[rsp->id] == NETFRONT_NO_PAGE)) {
		v = NETFRONT_VIOL_RSP_ID;
		val = rsp->id;
	} else if (unlikely((rsp->flags & NETRXF_extra_info) ||
			    ((rsp->flags & NETRXF_more_data) &&
			     !rxq->ad->rx_sg))) {
		v = NETFRONT_VIOL_RSP_FLAGS;
		val = rsp->flags;
	} else if (unlikely(rxq->nslots >= NETFRONT_MAX_SLOTS)) {
		v = NETFRONT_VIOL_RSP_FLAGS;
		val = rxq->nslots + 1;
	} else if (unlikely(rsp->status < 0 &&
			    rsp->status != NETIF_RSP_ERROR &&
			    rsp->status != NETIF_RSP_DROPPED)) {
		v = NETFRONT_VIOL_RSP_STATUS;
		val = rsp->status;
	} else if (unlikely(rsp->status >= 0 &&
			    (rsp->status == 0 ||
			     rsp->offset >= NETFRONT_PAGE_SIZE ||
			     rsp->offset + (unsigned int)rsp->status >
			     NETFRONT_PAGE_SIZE))) {
		v = NETFRONT_VIOL_RSP_SIZE;
		val = rsp->offset + rsp->status;
	} else {
		return 0;
	}
	violation(rxq->ad, &rxq->violated, &rxq->st, v, "rx", rxq->qid, val);
	return -1;
}

/* An mbuf of the application's mempool, or NULL when it is empty. */
static inline struct rte_mbuf *
rx_mbuf(struct netfront_rxq *rxq)
{
	if (unlikely(rxq->nstash == 0)) {
		if (rte_pktmbuf_alloc_bulk(rxq->mp, rxq->stash,
					   NETFRONT_RX_STASH) == 0)
			rxq->nstash = NETFRONT_RX_STASH;
		else
			return rte_pktmbuf_alloc(rxq->mp);
	}
	return rxq->stash[--rxq->nstash];
}

static inline void
rx_chain(struct netfront_rxq *rxq, struct rte_mbuf *m)
{
	if (rxq->head == NULL) {
		m->port = rxq->ad->dev->data->port_id;
		rxq->head = m;
	} else {
		rxq->tail->next = m;
		rxq->head->nb_segs++;
	}
	rxq->tail = m;
}

/* Trusted: the page itself becomes the segment, lent to the app. */
static inline int
rx_lend(struct netfront_rxq *rxq, uint16_t pg, uint16_t off, uint16_t len)
{
	struct rte_mbuf *m = rx_mbuf(rxq);

	if (unlikely(m == NULL))
		return -ENOBUFS;
	netfront_rxpool_attach(rxq->pool, pg, m);
	m->data_off = off;
	m->data_len = len;
	rx_chain(rxq, m);
	rxq->head->pkt_len += len;
	return 0;
}

/*
 * Untrusted: copy the data out, so that what the app holds is its own
 * memory, which the backend can neither read nor rewrite.
 */
static int
rx_copy(struct netfront_rxq *rxq, uint16_t pg, uint16_t off, uint16_t len)
{
	const uint8_t *src = netfront_rxpool_page(rxq->pool, pg) + off;

	while (len > 0) {
		struct rte_mbuf *m = rxq->tail;
		uint16_t n;

		if (m == NULL || rte_pktmbuf_tailroom(m) == 0) {
			/* Without SCATTER, a packet is one mbuf. */
			if (m != NULL && !rxq->ad->rx_sg)
				return -EMSGSIZE;
			m = rx_mbuf(rxq);
			if (unlikely(m == NULL))
				return -ENOBUFS;
			rx_chain(rxq, m);
		}
		n = RTE_MIN(len, rte_pktmbuf_tailroom(m));
		rte_memcpy(rte_pktmbuf_mtod_offset(m, uint8_t *, m->data_len),
			   src, n);
		m->data_len += n;
		rxq->head->pkt_len += n;
		src += n;
		len -= n;
	}
	return 0;
}

static inline void
rx_drop(struct netfront_rxq *rxq, uint64_t *counter)
{
	rte_pktmbuf_free(rxq->head);
	rxq->head = NULL;
	rxq->tail = NULL;
	(*counter)++;
}

uint16_t
netfront_rx_burst(void *queue, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	struct netfront_rxq *rxq = queue;
	netif_rx_front_ring_t *r = &rxq->ring;
	struct netfront_rxpool *pool = rxq->pool;
	uint32_t max_len = rxq->ad->dev->data->mtu + NETFRONT_FRAME_OVERHEAD;
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
		uint16_t pg;
		int rc;

		if (rx_check(rxq, &rsp) != 0)
			break;
		pg = rxq->page[rsp.id];
		rxq->page[rsp.id] = NETFRONT_NO_PAGE;
		netfront_idpool_put(&rxq->ids, rsp.id);
		cons++;
		rxq->nslots++;

		if (rxq->discard)
			rc = 0;
		else if (rsp.status < 0)
			rc = -EIO;
		else if (pool->free != NULL)
			rc = rx_lend(rxq, pg, rsp.offset, rsp.status);
		else
			rc = rx_copy(rxq, pg, rsp.offset, rsp.status);
		/* Not lent: a trusted page goes straight back. */
		if ((rc != 0 || rxq->discard) && pool->free != NULL)
			netfront_rxpool_put(pool, pg);
		if (unlikely(rc != 0)) {
			/* Drop the whole packet this slot belongs to. */
			rx_drop(rxq, rc == -ENOBUFS ? &rxq->st.nombuf_or_zc :
				&rxq->st.errors);
			rxq->discard = true;
		} else if (rxq->nslots == 1 && !rxq->discard) {
			rxq->head->ol_flags |= rx_csum_flags(rsp.flags);
		}
		if (rsp.flags & NETRXF_more_data)
			continue;
		rxq->nslots = 0;
		if (rxq->discard) {
			rxq->discard = false;
			continue;
		}
		if (unlikely(rxq->head->pkt_len < RTE_ETHER_HDR_LEN ||
			     rxq->head->pkt_len > max_len)) {
			rx_drop(rxq, &rxq->st.errors);
			continue;
		}
		rxq->st.packets++;
		rxq->st.bytes += rxq->head->pkt_len;
		pkts[nb++] = rxq->head;
		rxq->head = NULL;
		rxq->tail = NULL;
	}
	r->rsp_cons = cons;
	if (likely(!rxq->ad->failed))
		netfront_rx_refill(rxq);
	return nb;
}

unsigned int
netfront_tx_reclaim(struct netfront_txq *txq)
{
	netif_tx_front_ring_t *r = &txq->ring;
	RING_IDX cons, prod;
	unsigned int done = 0;

	prod = r->sring->rsp_prod;
	rte_smp_rmb();	/* responses after the producer index */
	cons = r->rsp_cons;
	if (unlikely(prod - cons > txq->pushed - cons)) {
		violation(txq->ad, &txq->violated, &txq->st,
			  NETFRONT_VIOL_RSP_PROD, "tx", txq->qid,
			  (int)(prod - cons));
		return 0;
	}
	for (; cons != prod; cons++, done++) {
		netif_tx_response_t rsp =
			*(volatile netif_tx_response_t *)
			RING_GET_RESPONSE(r, cons);
		struct netfront_tx_slot *s;

		if (unlikely(rsp.id >= NET_TX_RING_SIZE ||
			     !txq->slot[rsp.id].busy)) {
			violation(txq->ad, &txq->violated, &txq->st,
				  NETFRONT_VIOL_RSP_ID, "tx", txq->qid,
				  rsp.id);
			break;
		}
		/* NULL answers an extra-info slot: we never send one. */
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
		if (s->m != NULL) {
			rte_pktmbuf_free_seg(s->m);
			txq->zc_held--;
		}
		s->m = NULL;
		s->busy = false;
		netfront_idpool_put(&txq->ids, rsp.id);
	}
	r->rsp_cons = cons;
	return done;
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
		req->gref = netfront_rxpool_gref(pool, seg->buf_addr);
		req->offset = seg->data_off;
		req->size = seg == m ? pkt_len : seg->data_len;
		req->flags = 0;
		txq->zc_held++;
	}
}

/*
 * The trusted RX pool whose pages hold all of m, if it is granted to this
 * port's backend. The pool lives while m holds one of its pages.
 */
static inline const struct netfront_rxpool *
tx_zc_pool(struct netfront_txq *txq, const struct rte_mbuf *m)
{
	const struct netfront_rxpool *pool = netfront_rxpool_of(m);
	const struct netfront_adapter *ad = txq->ad;
	const struct rte_mbuf *seg;

	if (pool == NULL || !ad->trusted ||
	    m->nb_segs > (ad->feat.sg ? NETFRONT_MAX_SLOTS : 1))
		return NULL;
	if (pool != txq->zc_pool || pool->serial != txq->zc_serial) {
		if (pool->backend != ad->be_id ||
		    strcmp(pool->domain, ad->args.xensim) != 0)
			return NULL;
		txq->zc_pool = pool;
		txq->zc_serial = pool->serial;
	}
	for (seg = m; seg != NULL; seg = seg->next)
		if (seg->data_len == 0 || netfront_rxpool_of(seg) != pool ||
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

/* Show the backend the requests built so far; none: leave the line be. */
static inline void
tx_push(struct netfront_txq *txq)
{
	int notify;

	if (txq->ring.req_prod_pvt == txq->pushed)
		return;
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&txq->ring, notify);
	txq->pushed = txq->ring.req_prod_pvt;
	if (notify) {
		txq->st.notifies++;
		xenplat_evtchn_notify(txq->evtchn);
	}
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
	struct rte_mbuf *copied[TX_FREE_BULK];
	unsigned int nb_copied = 0;
	uint16_t i;

	if (unlikely(txq->ad->failed))
		return 0;
	/* Pages sent in place are the RX pool's: give them back soon. */
	if (txq->zc_held != 0 ||
	    netfront_idpool_avail(&txq->ids) < TX_RECLAIM_MIN)
		netfront_tx_reclaim(txq);
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
			/*
			 * Only ids the backend was shown may be answered: a
			 * response for one still being built is a violation.
			 */
			tx_push(txq);
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
	tx_push(txq);
	return i;
}
