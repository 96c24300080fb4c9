/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The burst functions. Every response is copied once into a local and
 * checked before use: the backend is not trusted. A violation is counted,
 * logged once per queue and stops the port instead of being followed.
 */
#include <string.h>

#include <ethdev_driver.h>
#include <rte_branch_prediction.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>
#include <rte_tcp.h>

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
			rxq->st.refill_short++;
	}
	for (i = 0; i < n; i++) {
		netif_rx_request_t *req;
		uint16_t id = netfront_idpool_get(&rxq->ids);

		/* Untrusted, page id serves request id and nothing else. */
		rxq->page[id] = pool->free != NULL ? pg[i] : id;
		rxq->posted[r->req_prod_pvt & (NET_RX_RING_SIZE - 1)] = id;
		req = RING_GET_REQUEST(r, r->req_prod_pvt);
		req->id = id;
		req->gref = pool->reg.refs[rxq->page[id]];
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

/* Check one response, answering request id; -1 after a violation. */
static inline int
rx_check(struct netfront_rxq *rxq, const netif_rx_response_t *rsp,
	 uint16_t id)
{
	const struct netfront_adapter *ad = rxq->ad;
	enum netfront_viol v;
	int val;

	/* Netback fills requests in order: a response answers its slot's. */
	if (unlikely(rsp->id != id)) {
		v = NETFRONT_VIOL_RSP_ID;
		val = rsp->id;
	} else if (unlikely(((rsp->flags & NETRXF_extra_info) &&
			     (rxq->nslots != 0 || !ad->rx_gso)) ||
			    ((rsp->flags & NETRXF_more_data) && !ad->rx_sg))) {
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

/*
 * An extra-info slot after a packet's first: only GSO, once, and only
 * with LRO on; it gives the packet's MSS.
 */
static int
rx_extra(struct netfront_rxq *rxq, const netif_extra_info_t *ex)
{
	const struct netfront_adapter *ad = rxq->ad;
	bool ok;

	switch (ex->type) {
	case XEN_NETIF_EXTRA_TYPE_GSO:
		ok = ad->rx_gso && ex->u.gso.size != 0 &&
		     (ex->u.gso.type == XEN_NETIF_GSO_TYPE_TCPV4 ||
		      ex->u.gso.type == XEN_NETIF_GSO_TYPE_TCPV6);
		rxq->gso_size = ex->u.gso.size;
		break;
	default:
		ok = false;
		break;
	}
	if (unlikely(!ok || (rxq->extras_seen & (1u << ex->type)))) {
		violation(rxq->ad, &rxq->violated, &rxq->st,
			  NETFRONT_VIOL_RSP_FLAGS, "rx", rxq->qid,
			  ex->type << 8 | ex->flags);
		return -1;
	}
	rxq->extras_seen |= 1u << ex->type;
	rxq->extra_next = ex->flags & XEN_NETIF_EXTRA_FLAG_MORE;
	return 0;
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

/*
 * RX IPv4 checksum offload: no backend vouches for the IPv4 header, so
 * the driver checks it, in an untagged or single-tagged frame.
 */
static inline uint64_t
rx_ipv4_flags(const struct rte_mbuf *m)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	const struct rte_ipv4_hdr *ip;
	uint32_t off = RTE_ETHER_HDR_LEN, ihl;
	uint16_t type;

	/* Any offset the backend chose: no aligned loads. */
	if (m->data_len < RTE_ETHER_HDR_LEN)
		return RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN;
	memcpy(&type, p + off - sizeof(type), sizeof(type));
	if (type == rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN) &&
	    m->data_len >= off + sizeof(struct rte_vlan_hdr)) {
		off += sizeof(struct rte_vlan_hdr);
		memcpy(&type, p + off - sizeof(type), sizeof(type));
	}
	if (type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
	    m->data_len < off + sizeof(*ip))
		return RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN;
	ip = (const struct rte_ipv4_hdr *)(p + off);
	ihl = rte_ipv4_hdr_len(ip);
	if (ihl < sizeof(*ip))
		return RTE_MBUF_F_RX_IP_CKSUM_BAD;
	if (m->data_len < off + ihl)
		return RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN;
	/* A correct header sums to all ones. */
	return rte_raw_cksum(ip, ihl) == 0xffff ? RTE_MBUF_F_RX_IP_CKSUM_GOOD :
						  RTE_MBUF_F_RX_IP_CKSUM_BAD;
}

/*
 * The packet's last slot was taken: hand it over unless it was dropped.
 * The MTU bounds it, max_lro_pkt_size one with a GSO extra.
 */
static inline void
rx_packet_end(struct netfront_rxq *rxq, struct rte_mbuf **pkts, uint16_t *nb,
	      uint32_t max_len)
{
	struct rte_mbuf *m = rxq->head;
	bool gso = rxq->gso_size != 0;

	if (rxq->discard) {
		m = NULL;
	} else {
		if (gso) {
			max_len = rxq->ad->max_lro_len;
			m->ol_flags |= RTE_MBUF_F_RX_LRO;
			m->tso_segsz = rxq->gso_size;
		}
		if (unlikely(m->pkt_len < RTE_ETHER_HDR_LEN ||
			     m->pkt_len > max_len)) {
			rx_drop(rxq, &rxq->st.errors);
			m = NULL;
		}
	}
	rxq->head = NULL;
	rxq->tail = NULL;
	rxq->nslots = 0;
	rxq->discard = false;
	rxq->extras_seen = 0;
	rxq->gso_size = 0;
	if (m == NULL)
		return;
	if (rxq->ad->rx_ip_csum)
		m->ol_flags |= rx_ipv4_flags(m);
	rxq->st.packets++;
	rxq->st.bytes += m->pkt_len;
	rxq->st.gso += gso;
	pkts[(*nb)++] = m;
}

/* One RX ring's responses, then its refill. */
static __rte_always_inline uint16_t
rx_ring_burst(struct netfront_rxq *rxq, struct rte_mbuf **pkts,
	      uint16_t nb_pkts)
{
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
		volatile netif_rx_response_t *slot = RING_GET_RESPONSE(r, cons);
		uint16_t id = rxq->posted[cons & (NET_RX_RING_SIZE - 1)];
		netif_rx_response_t rsp;
		uint16_t pg;
		int rc;

		if (unlikely(rxq->extra_next)) {
			netif_extra_info_t ex =
				*(volatile netif_extra_info_t *)slot;

			if (rx_extra(rxq, &ex) != 0)
				break;
			/* It used up its slot's request, page unwritten. */
			pg = rxq->page[id];
			rxq->page[id] = NETFRONT_NO_PAGE;
			netfront_idpool_put(&rxq->ids, id);
			if (pool->free != NULL)
				netfront_rxpool_put(pool, pg);
			cons++;
			if (!rxq->extra_next && !rxq->more)
				rx_packet_end(rxq, pkts, &nb, max_len);
			continue;
		}
		rsp = *slot;
		if (rx_check(rxq, &rsp, id) != 0)
			break;
		pg = rxq->page[id];
		rxq->page[id] = NETFRONT_NO_PAGE;
		netfront_idpool_put(&rxq->ids, id);
		cons++;
		rxq->nslots++;
		rxq->extra_next = rsp.flags & NETRXF_extra_info;
		rxq->more = rsp.flags & NETRXF_more_data;
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
			rx_drop(rxq, rc == -ENOBUFS ? &rxq->st.nombuf :
				&rxq->st.errors);
			rxq->discard = true;
		} else if (rxq->nslots == 1 && !rxq->discard) {
			rxq->head->ol_flags |= rx_csum_flags(rsp.flags);
		}
		/* Its extra-info slots come before its more_data ones. */
		if (!rxq->more && !rxq->extra_next)
			rx_packet_end(rxq, pkts, &nb, max_len);
	}
	r->rsp_cons = cons;
	if (likely(!rxq->ad->failed))
		netfront_rx_refill(rxq);
	return nb;
}

/*
 * A queue that polls the RX rings of more pairs: each burst starts at the
 * next ring, so that none waits while the others fill the bursts.
 */
static __rte_noinline uint16_t
rx_rings_burst(struct netfront_rxq *rxq, struct rte_mbuf **pkts,
	       uint16_t nb_pkts)
{
	struct netfront_rxq *start = rxq->turn, *r = start;
	uint16_t nb = 0;

	rxq->turn = start->next != NULL ? start->next : rxq;
	do {
		nb += rx_ring_burst(r, pkts + nb, nb_pkts - nb);
		r = r->next != NULL ? r->next : rxq;
	} while (r != start && nb < nb_pkts);
	return nb;
}

uint16_t
netfront_rx_burst(void *queue, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	struct netfront_rxq *rxq = queue;

	if (likely(rxq->next == NULL))
		return rx_ring_burst(rxq, pkts, nb_pkts);
	return rx_rings_burst(rxq, pkts, nb_pkts);
}

/* Free mbufs in bulk: cheaper than one free each. */
static inline void
tx_free_bulk(struct rte_mbuf **m, unsigned int *n)
{
	if (*n == 0)
		return;
	rte_pktmbuf_free_bulk(m, *n);
	*n = 0;
}

/*
 * A segment sent in place was answered: free it, in bulk unless another
 * reference holds it (only then are its chain links ours to cut).
 */
static inline void
tx_sent_free(struct rte_mbuf *m, struct rte_mbuf **bulk, unsigned int *n)
{
	if (rte_mbuf_refcnt_read(m) != 1) {
		rte_pktmbuf_free_seg(m);
		return;
	}
	m->next = NULL;
	m->nb_segs = 1;
	bulk[(*n)++] = m;
	if (*n == TX_FREE_BULK)
		tx_free_bulk(bulk, n);
}

unsigned int
netfront_tx_reclaim(struct netfront_txq *txq)
{
	netif_tx_front_ring_t *r = &txq->ring;
	struct rte_mbuf *sent[TX_FREE_BULK];
	unsigned int done = 0, nb_sent = 0;
	RING_IDX cons, prod;

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

		/* An extra-info slot's answer: it has no id to give back. */
		if (rsp.status == NETIF_RSP_NULL && txq->extras != 0) {
			txq->extras--;
			continue;
		}
		if (unlikely(rsp.id >= NET_TX_RING_SIZE ||
			     !txq->slot[rsp.id].busy)) {
			violation(txq->ad, &txq->violated, &txq->st,
				  NETFRONT_VIOL_RSP_ID, "tx", txq->qid,
				  rsp.id);
			break;
		}
		/* NULL answers an extra-info slot: none is unanswered. */
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
			txq->zc_held -= s->rx_page;
			tx_sent_free(s->m, sent, &nb_sent);
		}
		s->m = NULL;
		s->busy = false;
		netfront_idpool_put(&txq->ids, rsp.id);
	}
	r->rsp_cons = cons;
	tx_free_bulk(sent, &nb_sent);
	return done;
}

/* Free ring slots: an id each, but for unanswered extra-info slots. */
static inline uint32_t
tx_room(const struct netfront_txq *txq)
{
	return netfront_idpool_avail(&txq->ids) - txq->extras;
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

/* Where the next byte of a packet to copy is. */
struct tx_cursor {
	const struct rte_mbuf *seg;
	uint32_t off;
};

static void
tx_cursor_copy(struct tx_cursor *c, uint8_t *dst, uint32_t len)
{
	while (len > 0) {
		uint32_t n = RTE_MIN(len, (uint32_t)c->seg->data_len - c->off);

		rte_memcpy(dst, rte_pktmbuf_mtod_offset(c->seg, const uint8_t *,
							c->off), n);
		dst += n;
		len -= n;
		c->off += n;
		if (c->off == c->seg->data_len) {
			c->seg = c->seg->next;
			c->off = 0;
		}
	}
}

/*
 * Copy len bytes from c behind the used bytes of req's block, then into
 * new blocks, each request but the last with more_data.
 */
static void
tx_fill(struct netfront_txq *txq, netif_tx_request_t *req, uint8_t *dst,
	uint32_t used, struct tx_cursor *c, uint32_t len)
{
	for (;;) {
		uint32_t n = RTE_MIN(len, NETFRONT_TX_BLOCK - used);

		tx_cursor_copy(c, dst + used, n);
		len -= n;
		if (len == 0)
			return;
		req->flags |= NETTXF_more_data;
		req = tx_block_req(txq, RTE_MIN(len, NETFRONT_TX_BLOCK), &dst);
		used = 0;
	}
}

/* Copy the packet into as many 2 KiB blocks as it needs. */
static netif_tx_request_t *
tx_copy_chain(struct netfront_txq *txq, const struct rte_mbuf *m)
{
	struct tx_cursor c = { .seg = m };
	netif_tx_request_t *first;
	uint8_t *dst;

	/* The first slot carries the whole packet's size. */
	first = tx_block_req(txq, m->pkt_len, &dst);
	tx_fill(txq, first, dst, 0, &c, m->pkt_len);
	return first;
}

/* The common case: one segment that fits one block, one copy. */
static inline void
tx_copy_one(struct netfront_txq *txq, const struct rte_mbuf *m)
{
	uint8_t *dst;

	tx_block_req(txq, m->data_len, &dst);
	rte_memcpy(dst, rte_pktmbuf_mtod(m, const void *), m->data_len);
}

/*
 * Offloads: the backend fills L4 checksums (csum_blank) and segments
 * (a GSO extra-info slot); the IPv4 header checksum is the driver's, in
 * the copy. Such packets are always copied, as their headers may be
 * rewritten.
 */
#define TX_OFFLOADS	(RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_L4_MASK | \
			 RTE_MBUF_F_TX_TCP_SEG)
/* What one netback packet may take: a TSO packet goes in parts of it. */
#define TX_TSO_MAX_PART	(NETFRONT_MAX_SLOTS * NETFRONT_TX_BLOCK)

static inline void
tx_ipv4_cksum(struct rte_ipv4_hdr *ip, uint32_t len)
{
	uint16_t ck;

	ip->hdr_checksum = 0;
	ck = rte_raw_cksum(ip, len);
	ip->hdr_checksum = ck == 0xffff ? ck : (uint16_t)~ck;
}

/*
 * The IPv6 pseudo-header sum of a TCP segment of l4_len bytes: TCP, not
 * whatever next header the application wrote (DPDK's own would shift a
 * byte over 127 into the sign bit).
 */
static inline uint16_t
tx_ipv6_phdr_cksum(const struct rte_ipv6_hdr *ip6, uint32_t l4_len)
{
	struct {
		uint8_t addrs[32];
		rte_be32_t len;
		rte_be32_t proto;
	} psd;

	memcpy(psd.addrs, &ip6->src_addr, sizeof(psd.addrs));
	psd.len = rte_cpu_to_be_32(l4_len);
	psd.proto = rte_cpu_to_be_32(IPPROTO_TCP);
	return rte_raw_cksum(&psd, sizeof(psd));
}

static inline uint32_t
tx_tso_hlen(const struct rte_mbuf *m)
{
	return m->l2_len + m->l3_len + m->l4_len;
}

/* Payload bytes per part: whole MSS that fit the slots of one. */
static inline uint32_t
tx_tso_part(const struct rte_mbuf *m)
{
	return (TX_TSO_MAX_PART - tx_tso_hlen(m)) / m->tso_segsz *
	       m->tso_segsz;
}

static bool
tx_tso_ok(const struct netfront_txq *txq, const struct rte_mbuf *m)
{
	const struct netfront_backend_features *f = &txq->ad->feat;
	uint32_t hlen = tx_tso_hlen(m);
	bool v4 = m->ol_flags & RTE_MBUF_F_TX_IPV4;

	if (!f->sg || !(v4 ? f->gso_tcpv4 : f->gso_tcpv6))
		return false;
	if (!v4 && (!(m->ol_flags & RTE_MBUF_F_TX_IPV6) ||
		    m->l3_len != sizeof(struct rte_ipv6_hdr)))
		return false;
	return m->tso_segsz != 0 && m->l4_len >= sizeof(struct rte_tcp_hdr) &&
	       hlen < m->pkt_len && m->pkt_len <= NETFRONT_MAX_GSO_LEN &&
	       hlen + m->tso_segsz <= TX_TSO_MAX_PART;
}

/*
 * The ring slots an offloaded packet takes, or 0 if it cannot be sent:
 * the headers the driver rewrites must lie in the first block.
 */
static uint32_t
tx_offload_slots(const struct netfront_txq *txq, const struct rte_mbuf *m,
		 uint32_t max_len)
{
	uint64_t fl = m->ol_flags, l4 = fl & RTE_MBUF_F_TX_L4_MASK;
	uint32_t hlen = m->l2_len + m->l3_len, part, rest, len, n = 0;

	if (((fl & RTE_MBUF_F_TX_IP_CKSUM) &&
	     (!(fl & RTE_MBUF_F_TX_IPV4) ||
	      m->l3_len < sizeof(struct rte_ipv4_hdr))) ||
	    (l4 != 0 && l4 != RTE_MBUF_F_TX_TCP_CKSUM &&
	     l4 != RTE_MBUF_F_TX_UDP_CKSUM) ||
	    hlen > RTE_MIN(m->pkt_len, NETFRONT_TX_BLOCK))
		return 0;
	if (!(fl & RTE_MBUF_F_TX_TCP_SEG))
		return m->pkt_len > max_len ? 0 :
		       (m->pkt_len + NETFRONT_TX_BLOCK - 1) >> TX_BLOCK_SHIFT;
	if (!tx_tso_ok(txq, m))
		return 0;
	hlen = tx_tso_hlen(m);
	part = tx_tso_part(m);
	for (rest = m->pkt_len - hlen; rest > 0; rest -= len) {
		len = RTE_MIN(part, rest);
		/* the GSO extra-info slot, then the blocks */
		n += (len > m->tso_segsz) +
		     (hlen + len + NETFRONT_TX_BLOCK - 1) / NETFRONT_TX_BLOCK;
	}
	return n;
}

/*
 * A part's headers, as Linux's GSO makes a segment's: lengths, IPv4 id
 * and sequence number of its first segment, FIN and PSH on the last part
 * only, CWR on the first only. The checksum field holds the pseudo-header
 * sum with the length, which netback's segmentation builds on (DPDK's
 * TSO convention leaves the length out).
 */
static void
tx_tso_headers(uint8_t *h, const struct rte_mbuf *m, uint32_t off,
	       uint32_t len, bool last)
{
	struct rte_tcp_hdr *th = (void *)(h + m->l2_len + m->l3_len);
	uint16_t l4_len = m->l4_len + len;

	if (m->ol_flags & RTE_MBUF_F_TX_IPV4) {
		struct rte_ipv4_hdr *ip = (void *)(h + m->l2_len);

		ip->total_length = rte_cpu_to_be_16(m->l3_len + l4_len);
		ip->packet_id = rte_cpu_to_be_16(rte_be_to_cpu_16(
			ip->packet_id) + off / m->tso_segsz);
		tx_ipv4_cksum(ip, m->l3_len);
		th->cksum = rte_ipv4_phdr_cksum(ip, 0);
	} else {
		struct rte_ipv6_hdr *ip6 = (void *)(h + m->l2_len);

		ip6->payload_len = rte_cpu_to_be_16(l4_len);
		th->cksum = tx_ipv6_phdr_cksum(ip6, l4_len);
	}
	th->sent_seq = rte_cpu_to_be_32(rte_be_to_cpu_32(th->sent_seq) + off);
	if (off != 0)
		th->tcp_flags &= ~RTE_TCP_CWR_FLAG;
	if (!last)
		th->tcp_flags &= ~(RTE_TCP_FIN_FLAG | RTE_TCP_PSH_FLAG);
}

/*
 * Each part: its first request, a GSO extra-info slot, its blocks. A part
 * of one segment goes as a plain packet: Linux never makes such a GSO
 * packet, and drops it (skb_warn_bad_offload) when it must complete its
 * checksum without segmenting it.
 */
static void
tx_tso(struct netfront_txq *txq, const struct rte_mbuf *m)
{
	uint32_t hlen = tx_tso_hlen(m), part = tx_tso_part(m);
	uint32_t total = m->pkt_len - hlen, off, len;
	struct tx_cursor data = { .seg = m };

	for (off = 0; off < total; off += len) {
		struct tx_cursor hdr = { .seg = m };
		netif_tx_request_t *req;
		netif_extra_info_t *ex;
		uint8_t *dst;

		len = RTE_MIN(part, total - off);
		req = tx_block_req(txq, hlen + len, &dst);
		req->flags = NETTXF_csum_blank | NETTXF_data_validated;
		if (len > m->tso_segsz) {
			req->flags |= NETTXF_extra_info;
			ex = (netif_extra_info_t *)RING_GET_REQUEST(
				&txq->ring, txq->ring.req_prod_pvt++);
			ex->type = XEN_NETIF_EXTRA_TYPE_GSO;
			ex->flags = 0;
			ex->u.gso.size = m->tso_segsz;
			ex->u.gso.type = m->ol_flags & RTE_MBUF_F_TX_IPV4 ?
				XEN_NETIF_GSO_TYPE_TCPV4 :
				XEN_NETIF_GSO_TYPE_TCPV6;
			ex->u.gso.pad = 0;
			ex->u.gso.features = 0;
			txq->extras++;
		}
		/* The first part's headers are where the data starts. */
		tx_cursor_copy(off == 0 ? &data : &hdr, dst, hlen);
		tx_tso_headers(dst, m, off, len, off + len == total);
		tx_fill(txq, req, dst, hlen, &data, len);
	}
	txq->st.gso++;
}

static void
tx_offload(struct netfront_txq *txq, const struct rte_mbuf *m)
{
	netif_tx_request_t *req;

	if (m->ol_flags & RTE_MBUF_F_TX_TCP_SEG) {
		tx_tso(txq, m);
		return;
	}
	req = tx_copy_chain(txq, m);
	if (m->ol_flags & RTE_MBUF_F_TX_IP_CKSUM)
		tx_ipv4_cksum((struct rte_ipv4_hdr *)(tx_block(txq, req->id) +
						      m->l2_len), m->l3_len);
	if (m->ol_flags & RTE_MBUF_F_TX_L4_MASK)
		req->flags |= NETTXF_csum_blank | NETTXF_data_validated;
}

/* Post the segments in place: they lie in pages granted to our backend. */
static void
tx_zerocopy(struct netfront_txq *txq, const struct netfront_region *reg,
	    struct rte_mbuf *m)
{
	netif_tx_request_t *req = NULL;
	uint32_t pkt_len = m->pkt_len;
	struct rte_mbuf *seg, *next;
	uintptr_t off;

	for (seg = m; seg != NULL; seg = next) {
		next = seg->next;
		if (req != NULL)
			req->flags = NETTXF_more_data;
		txq->slot[tx_slot(txq, seg, &req)].rx_page = reg->rx_pool;
		off = rte_pktmbuf_mtod(seg, uintptr_t) - (uintptr_t)reg->base;
		req->gref = reg->refs[off >> NETFRONT_PAGE_SHIFT];
		req->offset = off & (NETFRONT_PAGE_SIZE - 1);
		req->size = seg == m ? pkt_len : seg->data_len;
		req->flags = 0;
		txq->zc_held += reg->rx_pool;
	}
}

/*
 * The granted region (a trusted RX pool's, or a TX pool's) whose pages
 * hold all of m, if it is granted to this port's backend. The region
 * lives while m holds one of its buffers.
 */
static inline const struct netfront_region *
tx_zc_region(struct netfront_txq *txq, const struct rte_mbuf *m)
{
	const struct netfront_adapter *ad = txq->ad;
	const struct netfront_region *reg;
	const struct rte_mbuf *seg;

	if (!RTE_MBUF_HAS_EXTBUF(m) || !ad->trusted ||
	    m->nb_segs > (ad->feat.sg ? NETFRONT_MAX_SLOTS : 1))
		return NULL;
	reg = netfront_region_of(m);
	if (reg == NULL)
		return NULL;
	if (reg != txq->zc_reg || reg->serial != txq->zc_serial) {
		if (reg->backend != ad->be_id ||
		    strcmp(reg->domain, ad->args.xensim) != 0)
			return NULL;
		txq->zc_reg = reg;
		txq->zc_serial = reg->serial;
	}
	for (seg = m; seg != NULL; seg = seg->next)
		if (seg->data_len == 0 || !netfront_region_holds(reg, seg) ||
		    (seg != m && netfront_region_of(seg) != reg))
			return NULL;
	return reg;
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

/*
 * The lines of the block that m, a packet ahead, will be copied into. An
 * external buffer may go in place (tx_zc_region): it copies nothing.
 */
static inline void
tx_prefetch_block(const struct netfront_txq *txq, uint16_t ahead,
		  const struct rte_mbuf *m)
{
	uint16_t top = netfront_idpool_avail(&txq->ids);
	uint32_t off, len = m->pkt_len;
	const uint8_t *b;

	if (top <= ahead || RTE_MBUF_HAS_EXTBUF(m))
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

bool
netfront_tx_mcast(struct netfront_txq *txq, const struct rte_ether_addr *addr,
		  bool add)
{
	netif_tx_request_t *req;
	netif_extra_info_t *ex;

	if (tx_room(txq) < 2) {
		tx_push(txq);
		netfront_tx_reclaim(txq);
		if (txq->ad->failed || tx_room(txq) < 2)
			return false;
	}
	/* Netback reads no data of it: any granted block will do. */
	tx_slot(txq, NULL, &req);
	req->gref = txq->blk.refs[req->id >> 1];
	req->offset = 0;
	req->size = 0;
	req->flags = NETTXF_extra_info;
	ex = (netif_extra_info_t *)RING_GET_REQUEST(&txq->ring,
						     txq->ring.req_prod_pvt++);
	ex->type = add ? XEN_NETIF_EXTRA_TYPE_MCAST_ADD :
			 XEN_NETIF_EXTRA_TYPE_MCAST_DEL;
	ex->flags = 0;
	memcpy(ex->u.mcast.addr, addr, sizeof(ex->u.mcast.addr));
	txq->extras++;
	tx_push(txq);
	return true;
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
	if (unlikely(txq->qid == 0 &&
		     __atomic_load_n(&txq->ad->mc.gen, __ATOMIC_ACQUIRE) !=
		     txq->ad->mc.synced))
		netfront_mcast_sync(txq);
	/* RX pool pages sent in place: give them back to RX soon. */
	if (txq->zc_held != 0 ||
	    netfront_idpool_avail(&txq->ids) < TX_RECLAIM_MIN)
		netfront_tx_reclaim(txq);
	tx_prefetch_ring(txq, nb_pkts);
	for (i = 0; i < RTE_MIN(nb_pkts, TX_PREFETCH_AHEAD); i++)
		tx_prefetch_block(txq, i, pkts[i]);
	for (i = 0; i < nb_pkts; i++) {
		struct rte_mbuf *m = pkts[i];
		const struct netfront_region *reg = NULL;
		uint32_t need;

		if (unlikely(m->ol_flags & TX_OFFLOADS)) {
			need = tx_offload_slots(txq, m, max_len);
		} else {
			reg = tx_zc_region(txq, m);
			need = reg != NULL ? m->nb_segs :
				(m->pkt_len + NETFRONT_TX_BLOCK - 1) >>
				TX_BLOCK_SHIFT;
			if (m->pkt_len > max_len)
				need = 0;
		}
		if (unlikely(need == 0)) {
			txq->st.errors++;
			rte_pktmbuf_free(m);
			continue;
		}
		if (i + TX_PREFETCH_AHEAD < nb_pkts)
			tx_prefetch_block(txq, TX_PREFETCH_AHEAD,
					  pkts[i + TX_PREFETCH_AHEAD]);
		if (need > tx_room(txq)) {
			/*
			 * Only ids the backend was shown may be answered: a
			 * response for one still being built is a violation.
			 */
			tx_push(txq);
			netfront_tx_reclaim(txq);
			if (txq->ad->failed || need > tx_room(txq))
				break;
		}
		txq->st.packets++;
		txq->st.bytes += m->pkt_len;
		if (reg != NULL) {
			txq->st.zerocopy++;
			tx_zerocopy(txq, reg, m);
			continue;
		}
		if (unlikely(m->ol_flags & TX_OFFLOADS))
			tx_offload(txq, m);
		else if (likely(m->nb_segs == 1 && need == 1))
			tx_copy_one(txq, m);
		else
			tx_copy_chain(txq, m);
		copied[nb_copied++] = m;
		if (nb_copied == TX_FREE_BULK)
			tx_free_bulk(copied, &nb_copied);
	}
	tx_free_bulk(copied, &nb_copied);
	tx_push(txq);
	return i;
}
