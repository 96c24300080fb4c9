/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The netback data path: one thread per queue consumes TX requests
 * (grant copy out of the frontend's pages, one response per slot) and
 * fills posted RX pages with frames waiting in the queue's frame rings.
 */
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "csum.h"
#include "gnttab.h"
#include "gso.h"
#include "netback_adv.h"
#include "netback_ring.h"
#include "vif_end.h"

#define TX_BUDGET	64	/* packets per pass, then RX gets a turn */
#define TX_BATCH	16	/* packets taken before they are copied */
#define TX_PREFETCH_AHEAD 2
#define RX_BUDGET	64
/*
 * Poll mode: idle passes spun before a yield. A yield on a busy machine
 * hands the CPU to another task for up to a time slice, which at this
 * packet rate lets the frontend's rings fill up or run dry.
 */
#define POLL_SPIN	4096u
#define ETH_HLEN	14
/* XEN_NETBACK_TX_COPY_LEN: Linux netback grant-maps a frame past it. */
#define TX_COPY_LEN	128u

/* Disable the vif and have the loop thread report why. */
static void __attribute__((format(printf, 2, 3)))
queue_fatal(struct nb_queue *q, const char *fmt, ...)
{
	struct netback *nb = q->nb;
	uint64_t one = 1;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(q->fatal_msg, sizeof(q->fatal_msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "xensim: vif %u/%u queue %u: %s; disabling the vif\n",
		nb->domid, nb->handle, q->idx, q->fatal_msg);
	__atomic_store_n(&nb->disabled, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&q->st.fatal, q->st.fatal + 1, __ATOMIC_RELEASE);
	/* The loop thread owns xenstore: it writes the error. */
	if (write(nb->fatal_fd, &one, sizeof(one)) != sizeof(one))
		fprintf(stderr, "xensim: vif %u/%u: cannot signal the error\n",
			nb->domid, nb->handle);
}

static void
send_notify(struct nb_queue *q, int fd)
{
	uint64_t one = 1;

	if (write(fd, &one, sizeof(one)) == sizeof(one))
		nb_stat_add(&q->st.notify_out, 1);
}

/* One event per port and pass, however many pushes asked for it. */
static void
flush_notify(struct nb_queue *q)
{
	if (q->nr_ports == 1) {
		if (q->want_tx_notify || q->want_rx_notify)
			send_notify(q, q->tx_notify);
	} else {
		if (q->want_tx_notify)
			send_notify(q, q->tx_notify);
		if (q->want_rx_notify)
			send_notify(q, q->rx_notify);
	}
	q->want_tx_notify = false;
	q->want_rx_notify = false;
}

/* The frontend posted more requests than the ring holds: Linux netback
 * disables the vif; it is a violation of the frontend's too. */
static void
ring_overflow(struct nb_queue *q, const char *what, RING_IDX prod,
	      RING_IDX cons)
{
	nb_stat_add(&q->st.v_ring_overflow, 1);
	nb_stat_add(&q->st.violations, 1);
	queue_fatal(q, "Impossible number of %s requests: req_prod %u, "
		    "req_cons %u, size %u", what, prod, cons,
		    (unsigned int)NB_RING_SIZE);
}

static void
tx_respond(struct nb_queue *q, uint16_t id, int16_t status, bool data)
{
	netif_tx_response_t *rsp = RING_GET_RESPONSE(&q->tx,
						     q->tx.rsp_prod_pvt);

	rsp->id = id;
	rsp->status = status;
	if (data && q->adv != NULL)
		nb_adv_tx_rsp(q, rsp);
	q->tx.rsp_prod_pvt++;
}

static uint32_t
tx_to_rx_flags(uint16_t txf)
{
	if (txf & NETTXF_csum_blank)
		return NETRXF_csum_blank | NETRXF_data_validated;
	return txf & NETTXF_data_validated ? NETRXF_data_validated : 0;
}

/*
 * Take the extra-info slots after a first request into ex[type - 1]; of
 * two of a type, the last counts, as in Linux's xenvif_get_extras().
 * Returns their number, or -1 on a fatal error.
 */
static int
tx_extras(struct nb_queue *q, RING_IDX *cons, RING_IDX prod,
	  netif_extra_info_t *extras)
{
	netif_extra_info_t ex;
	int n = 0;

	do {
		if (*cons == prod) {
			queue_fatal(q, "Missing extra info");
			return -1;
		}
		if (n == XEN_NETIF_EXTRA_TYPE_MAX - 1) {
			queue_fatal(q, "Too many extra info slots");
			return -1;
		}
		RING_COPY_REQUEST(&q->tx, *cons, &ex);
		(*cons)++;
		n++;
		if (ex.type == XEN_NETIF_EXTRA_TYPE_NONE ||
		    ex.type >= XEN_NETIF_EXTRA_TYPE_MAX) {
			queue_fatal(q, "Invalid extra type: %u", ex.type);
			return -1;
		}
		extras[ex.type - 1] = ex;
	} while (ex.flags & XEN_NETIF_EXTRA_FLAG_MORE);
	return n;
}

/*
 * A request with an MCAST_ADD or MCAST_DEL extra carries no data: as
 * Linux's xenvif_tx_build_gops, act on it before any size check and answer
 * it alone (an add fails on a full list). False if it is not one.
 */
static bool
tx_mcast(struct nb_queue *q, struct nb_tx_pkt *pkt,
	 const netif_extra_info_t *extras)
{
	const netif_extra_info_t *add =
		&extras[XEN_NETIF_EXTRA_TYPE_MCAST_ADD - 1];
	const netif_extra_info_t *del =
		&extras[XEN_NETIF_EXTRA_TYPE_MCAST_DEL - 1];
	struct mcast *m = &q->nb->mcast;

	if (add->type != XEN_NETIF_EXTRA_TYPE_NONE) {
		pkt->status[0] = mcast_add(m, add->u.mcast.addr) == 0 ?
				 NETIF_RSP_OKAY : NETIF_RSP_ERROR;
		nb_stat_add(&q->st.mcast_adds, 1);
	} else if (del->type != XEN_NETIF_EXTRA_TYPE_NONE) {
		mcast_del(m, del->u.mcast.addr);
		pkt->status[0] = NETIF_RSP_OKAY;
		nb_stat_add(&q->st.mcast_dels, 1);
	} else {
		return false;
	}
	pkt->mcast = true;
	pkt->rest = 0;
	return true;
}

/* A GSO extra: a bad one is fatal, as in Linux's xenvif_set_skb_gso(). */
static int
tx_gso(struct nb_queue *q, struct nb_tx_pkt *pkt,
       const netif_extra_info_t *gso)
{
	if (gso->u.gso.size == 0) {
		queue_fatal(q, "GSO size must not be zero");
		return -1;
	}
	if (gso->u.gso.type != XEN_NETIF_GSO_TYPE_TCPV4 &&
	    gso->u.gso.type != XEN_NETIF_GSO_TYPE_TCPV6) {
		queue_fatal(q, "Bad GSO type %u", gso->u.gso.type);
		return -1;
	}
	pkt->gso_size = gso->u.gso.size;
	pkt->gso_type = gso->u.gso.type;
	return 0;
}

/* Take one packet's requests off the TX ring; -1 on a fatal error. */
static int
tx_take(struct nb_queue *q, RING_IDX prod, struct nb_tx_pkt *pkt)
{
	netif_extra_info_t extras[XEN_NETIF_EXTRA_TYPE_MAX - 1] = { 0 };
	const netif_extra_info_t *gso = &extras[XEN_NETIF_EXTRA_TYPE_GSO - 1];
	netif_tx_request_t *txp = pkt->txp;
	RING_IDX cons = q->tx.req_cons;
	unsigned int i;
	int nr_extra = 0;

	pkt->n = 1;
	pkt->drop = false;
	pkt->mcast = false;
	pkt->gso_size = 0;
	RING_COPY_REQUEST(&q->tx, cons, &txp[0]);
	cons++;
	if (txp[0].flags & NETTXF_extra_info) {
		nr_extra = tx_extras(q, &cons, prod, extras);
		if (nr_extra < 0)
			return -1;
	}
	pkt->nr_extra = (unsigned int)nr_extra;
	if (tx_mcast(q, pkt, extras)) {
		q->tx.req_cons = cons;
		return 0;
	}
	for (i = 0; txp[i].flags & NETTXF_more_data; i = pkt->n++) {
		if (pkt->n == XEN_NETIF_NR_SLOTS_MIN) {
			queue_fatal(q, "Too many slots (more than %u)",
				       XEN_NETIF_NR_SLOTS_MIN);
			return -1;
		}
		if (cons == prod) {
			queue_fatal(q, "Packet's slot %u is not posted",
				       pkt->n);
			return -1;
		}
		RING_COPY_REQUEST(&q->tx, cons, &txp[pkt->n]);
		cons++;
	}
	/* The first request's size is the whole packet's. */
	pkt->rest = txp[0].size;
	for (i = 1; i < pkt->n; i++) {
		if (txp[i].offset + txp[i].size > NB_PAGE_SIZE) {
			queue_fatal(q, "Cross page boundary, offset %u, "
				       "size %u", txp[i].offset, txp[i].size);
			return -1;
		}
		if (txp[i].size > pkt->rest)
			pkt->drop = true;
		else
			pkt->rest -= txp[i].size;
	}
	if (!pkt->drop && txp[0].offset + pkt->rest > NB_PAGE_SIZE) {
		queue_fatal(q, "Cross page boundary, offset %u, size %u",
			       txp[0].offset, pkt->rest);
		return -1;
	}
	if (txp[0].size < ETH_HLEN)
		pkt->drop = true;
	if (!pkt->drop && gso->type != XEN_NETIF_EXTRA_TYPE_NONE &&
	    tx_gso(q, pkt, gso) != 0)
		return -1;
	q->tx.req_cons = cons;
	return 0;
}

/*
 * A GSO packet, copied, as Linux's checksum_setup() and the segmentation
 * after it see it: a frame the frontend did not send with csum_blank gets
 * the pseudo-header sum where its checksum goes, and goes on as one; a
 * frame that is not TCP over the IP version of its type cannot be
 * segmented and is dropped (-1).
 */
static int
tx_gso_frame(struct nb_queue *q, const struct nb_tx_pkt *pkt, uint8_t *data,
	     struct frame_info *info)
{
	uint32_t len = pkt->txp[0].size;
	struct gso g;

	if (gso_parse(&g, data, len, pkt->gso_size,
		      pkt->gso_type == XEN_NETIF_GSO_TYPE_TCPV6) != 0) {
		nb_stat_add(&q->st.tx_gso_bad, 1);
		return -1;
	}
	if (!(info->flags & NETRXF_csum_blank)) {
		csum_partial(data, len);
		nb_stat_add(&q->st.tx_gso_csum_fixup, 1);
	}
	info->flags = NETRXF_csum_blank | NETRXF_data_validated;
	info->gso_size = pkt->gso_size;
	info->gso_type = pkt->gso_type;
	nb_stat_add(&q->st.tx_gso, 1);
	return 0;
}

/* Copy a taken packet to the vif's end; pkt->status gets each slot's. */
static void
tx_copy(struct nb_queue *q, struct nb_tx_pkt *pkt)
{
	struct netback *nb = q->nb;
	const netif_tx_request_t *txp = pkt->txp;
	struct frame_ring *ring = NULL;
	struct frame_info info = { .flags = tx_to_rx_flags(txp[0].flags) };
	uint32_t off = 0;
	uint8_t *dst = NULL;
	bool failed = false;
	unsigned int i;

	pkt->late = false;
	if (pkt->mcast)
		return;
	if (!pkt->drop) {
		dst = vif_end_tx_reserve(q, txp[0].size, &ring);
		if (dst == NULL)
			dst = q->scratch;
	}
	for (i = 0; i < pkt->n; i++) {
		uint32_t len = i == 0 ? pkt->rest : txp[i].size;
		int16_t rc;

		pkt->status[i] = pkt->drop ? NETIF_RSP_ERROR : NETIF_RSP_OKAY;
		if (pkt->drop || len == 0)
			continue;
		rc = gnttab_copy_from(nb->fe_gt, 0, txp[i].gref,
				      txp[i].offset, len, dst + off);
		if (q->adv != NULL)
			nb_adv_tx_check(q, pkt, i, rc, dst + off, len);
		if (rc != GNTST_okay) {
			pkt->status[i] = NETIF_RSP_ERROR;
			failed = true;
		}
		off += len;
	}
	if (pkt->drop || failed) {
		nb_stat_add(&q->st.tx_errors, 1);
		return;
	}
	if (pkt->gso_size != 0 && tx_gso_frame(q, pkt, dst, &info) != 0)
		return;
	vif_end_tx_done(q, ring, dst, txp[0].size, &info);
	pkt->late = q->adv == NULL && nb->k.v[NB_K_TX_LATE] &&
		    txp[0].size > TX_COPY_LEN;
	nb_stat_add(&q->st.tx_pkts, 1);
	nb_stat_add(&q->st.tx_bytes, txp[0].size);
}

/* A late packet's response, kept for the next pass. */
static void
tx_defer(struct nb_queue *q, uint16_t id, int16_t status)
{
	q->tx_late[q->nr_tx_late++] = (netif_tx_response_t){
		.id = id, .status = status };
}

/*
 * Responses go in request order: first, extras, more slots. A late
 * packet's responses wait for the next pass, as Linux netback answers a
 * packet it grant-mapped only when dom0 frees it.
 */
static void
tx_answer(struct nb_queue *q, const struct nb_tx_pkt *pkt)
{
	const netif_tx_request_t *txp = pkt->txp;
	unsigned int i;

	if (pkt->late) {
		tx_defer(q, txp[0].id, pkt->status[0]);
		for (i = 0; i < pkt->nr_extra; i++)
			tx_defer(q, 0, NETIF_RSP_NULL);
		for (i = 1; i < pkt->n; i++)
			tx_defer(q, txp[i].id, pkt->status[i]);
		nb_stat_add(&q->st.tx_late, pkt->n + pkt->nr_extra);
		return;
	}
	tx_respond(q, txp[0].id, pkt->status[0], true);
	for (i = 0; i < pkt->nr_extra; i++)
		tx_respond(q, 0, NETIF_RSP_NULL, false);
	for (i = 1; i < pkt->n; i++)
		tx_respond(q, txp[i].id, pkt->status[i], true);
}

/* Write the responses deferred by the pass before; their number. */
static unsigned int
tx_answer_late(struct nb_queue *q)
{
	unsigned int i, n = q->nr_tx_late;

	for (i = 0; i < n; i++)
		*RING_GET_RESPONSE(&q->tx, q->tx.rsp_prod_pvt++) =
			q->tx_late[i];
	q->nr_tx_late = 0;
	return n;
}

/*
 * The honest path, as Linux netback's batched grant copy: take up to max
 * packets, copy them all, then answer them all. While one is copied, the
 * data of the packets ahead is fetched: the guest has just written it on
 * another CPU. Answers come last because they too are stores to lines the
 * guest holds, and each copy's entry lock would wait for them to drain.
 */
static void
tx_copy_answer(struct nb_queue *q, struct nb_tx_pkt *pkt, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		const struct nb_tx_pkt *ahead = NULL;

		if (i + TX_PREFETCH_AHEAD < n)
			ahead = &pkt[i + TX_PREFETCH_AHEAD];
		if (ahead != NULL && !ahead->drop)
			gnttab_prefetch(q->nb->fe_gt, ahead->txp[0].gref,
					ahead->txp[0].offset, ahead->rest);
		tx_copy(q, &pkt[i]);
	}
	for (i = 0; i < n; i++)
		tx_answer(q, &pkt[i]);
}

static int
tx_batch(struct nb_queue *q, RING_IDX prod, unsigned int max)
{
	struct nb_tx_pkt pkt[TX_BATCH];
	unsigned int n = 0;
	int rc = 0;

	max = max < TX_BATCH ? max : TX_BATCH;
	while (n < max && q->tx.req_cons != prod) {
		rc = tx_take(q, prod, &pkt[n]);
		if (rc != 0)
			break;
		n++;
	}
	tx_copy_answer(q, pkt, n);
	return rc != 0 ? -1 : (int)n;
}

/* The adversary holds what is taken and says what to answer when. */
static int
tx_hostile(struct nb_queue *q, RING_IDX prod, unsigned int *answered)
{
	struct nb_tx_pkt pkt[TX_BATCH];
	unsigned int taken = 0, due, n;

	while (q->tx.req_cons != prod && taken < TX_BUDGET) {
		if (tx_take(q, prod, &pkt[0]) != 0)
			return -1;
		nb_adv_tx_hold(q, &pkt[0]);
		taken++;
	}
	for (due = nb_adv_tx_due(q); due != 0; due -= n) {
		n = due < TX_BATCH ? due : TX_BATCH;
		nb_adv_tx_pop(q, pkt, n);
		tx_copy_answer(q, pkt, n);
		*answered += n;
	}
	return (int)taken;
}

static unsigned int
tx_process(struct nb_queue *q)
{
	RING_IDX prod = __atomic_load_n(&q->tx.sring->req_prod,
					__ATOMIC_ACQUIRE);
	RING_IDX from = q->tx.rsp_prod_pvt, cons = q->tx.req_cons;
	unsigned int taken = 0, answered = tx_answer_late(q);
	int notify, n;

	if (RING_REQUEST_PROD_OVERFLOW(&q->tx, prod)) {
		ring_overflow(q, "TX", prod, q->tx.req_cons);
		return 0;
	}
	if (q->adv != NULL) {
		n = tx_hostile(q, prod, &answered);
		if (n < 0)
			return 0;
		taken = (unsigned int)n;
	}
	while (q->adv == NULL && q->tx.req_cons != prod &&
	       taken < TX_BUDGET) {
		n = tx_batch(q, prod, TX_BUDGET - taken);
		if (n < 0)
			return 0;
		taken += (unsigned int)n;
	}
	nb_stat_add(&q->st.tx_reqs, q->tx.req_cons - cons);
	if (q->tx.rsp_prod_pvt != from) {
		RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&q->tx, notify);
		if (q->adv != NULL && nb_adv_pushed(q, false, from))
			notify = 1;
		q->want_tx_notify |= notify;
	}
	vif_end_tx_flush(q);
	/* A pass that deferred answers took packets: as work, it has the
	 * next pass come to write them. */
	return taken + answered;
}

/* May the frontend get this frame with its checksum left blank? */
static bool
rx_csum_blank_ok(const struct netback *nb, const uint8_t *data, uint32_t len)
{
	return nb_fe_csum_blank_ok(nb, csum_is_ipv6(data, len));
}

/* A GSO frame the frontend does not take whole, with a GSO extra-info
 * slot, goes in segments (its type is its IP version's: parsed). */
static bool
rx_segmenting(const struct netback *nb, const struct frame_hdr *h)
{
	return h->info.gso_size != 0 && !nb_fe_gso_ok(nb, h->info.gso_type);
}

static int
rx_gso_parse(const struct frame_hdr *h, struct gso *g)
{
	return gso_parse(g, (const uint8_t *)(h + 1), h->len,
			 h->info.gso_size,
			 h->info.gso_type == XEN_NETIF_GSO_TYPE_TCPV6);
}

/*
 * The RX requests the next delivery from frame h takes (the frame, with
 * an extra-info slot for a GSO one, or the frame's next segment), and in
 * data those that hold data; 0 for a frame to drop: one that cannot be
 * segmented (TX checked it), or a GSO frame of one segment whose checksum
 * must be completed. Linux's tcp_gso_segment() leaves that one whole, and
 * skb_checksum_help() refuses a GSO skb (skb_warn_bad_offload).
 */
static unsigned int
rx_need(const struct nb_queue *q, const struct frame_hdr *h,
	unsigned int *data)
{
	const struct netback *nb = q->nb;
	bool whole = !rx_segmenting(nb, h);
	uint32_t len = h->len;
	struct gso g;

	if (!whole) {
		if (rx_gso_parse(h, &g) != 0 ||
		    (g.nr_segs == 1 &&
		     !rx_csum_blank_ok(nb, (const uint8_t *)(h + 1), h->len)))
			return 0;
		len = gso_seg_len(&g, q->seg_next);
	}
	*data = nb_rx_data_slots(nb, len);
	return nb_rx_slots(nb, len) + (whole && h->info.gso_size != 0);
}

/* The next segment of h, in q->seg, as a frame of its own (rx_need()
 * said it can be made). */
static struct frame_hdr *
rx_segment(struct nb_queue *q, const struct frame_hdr *h, bool *last)
{
	struct frame_hdr *seg = q->seg;
	struct gso g;

	rx_gso_parse(h, &g);
	/* The checksum stays blank; rx_deliver() completes it for a
	 * frontend that does not take that. */
	seg->len = gso_segment(&g, q->seg_next, (uint8_t *)(seg + 1), true);
	seg->info = (struct frame_info){
		.flags = NETRXF_csum_blank | NETRXF_data_validated };
	nb_stat_add(&q->st.gso_segs, 1);
	*last = ++q->seg_next == g.nr_segs;
	return seg;
}

/*
 * While the frontend asks for multicast control, a frame to a multicast
 * address it did not add is dropped, as Linux's xenvif_start_xmit() does;
 * broadcast is not multicast there.
 */
static bool
rx_filtered(struct nb_queue *q, const struct frame_hdr *h)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff,
					  0xff };
	const uint8_t *dst = (const uint8_t *)(h + 1);
	struct netback *nb = q->nb;

	if (h->len < sizeof(bcast) || !(dst[0] & 1) ||
	    memcmp(dst, bcast, sizeof(bcast)) == 0 ||
	    !__atomic_load_n(&nb->mcast_ctrl, __ATOMIC_RELAXED) ||
	    mcast_match(&nb->mcast, dst))
		return false;
	nb_stat_add(&q->st.rx_mcast_filtered, 1);
	return true;
}

/*
 * RX responses of a pass are staged and written to the ring at its end,
 * like TX answers after the copies: a store to a ring line the guest holds
 * would otherwise hold up the next copy's entry lock.
 */
static netif_rx_response_t *
rx_next_rsp(struct nb_queue *q)
{
	return &q->rx_stage[q->nr_rx_stage++];
}

static void
rx_publish(struct nb_queue *q)
{
	unsigned int i;

	for (i = 0; i < q->nr_rx_stage; i++)
		*RING_GET_RESPONSE(&q->rx, q->rx.rsp_prod_pvt++) =
			q->rx_stage[i];
	q->nr_rx_stage = 0;
}

/*
 * Linux netback's answer to a frontend's xdp-headroom: an extra-info slot
 * of its type XDP (5, from Linux's netif.h; Xen 4.17's netif.h lacks it)
 * after the first data slot, using up one more request.
 */
#define NB_EXTRA_TYPE_XDP	5

/* An extra-info slot uses up a request of its own. */
static struct netif_extra_info *
rx_extra(struct nb_queue *q)
{
	struct netif_extra_info *ex;

	if (q->adv != NULL)
		nb_adv_rx_rsp(q, q->rx.req_cons, 0, NULL);
	q->rx.req_cons++;
	ex = (struct netif_extra_info *)rx_next_rsp(q);
	memset(ex, 0, sizeof(*ex));
	return ex;
}

/* The first slot's extra-info slots, in the order of their types as
 * Linux sends them: GSO for a GSO frame, XDP for a headroom, then the
 * adversary's. */
static void
rx_extras(struct nb_queue *q, const struct frame_hdr *h, unsigned int hostile)
{
	bool xdp = q->nb->headroom != 0;
	struct netif_extra_info *ex;

	if (h->info.gso_size != 0) {
		ex = rx_extra(q);
		ex->type = XEN_NETIF_EXTRA_TYPE_GSO;
		ex->flags = xdp || hostile ? XEN_NETIF_EXTRA_FLAG_MORE : 0;
		ex->u.gso.size = h->info.gso_size;
		ex->u.gso.type = (uint8_t)h->info.gso_type;
	}
	if (xdp) {
		ex = rx_extra(q);
		ex->type = NB_EXTRA_TYPE_XDP;
		ex->flags = hostile ? XEN_NETIF_EXTRA_FLAG_MORE : 0;
		/* u.xdp.headroom in Linux's layout: the union's first
		 * 16 bits */
		ex->u.pad[0] = (uint16_t)q->nb->headroom;
	}
	if (hostile)
		nb_adv_rx_extra(q, rx_extra(q));
}

/* Copy one frame into as many posted pages as it takes; extra: the
 * adversary's extra-info slots after the first. A GSO frame goes whole
 * (nb_fe_gso_ok()). */
static void
rx_deliver(struct nb_queue *q, struct frame_hdr *h, unsigned int extra)
{
	struct netback *nb = q->nb;
	uint8_t *data = (uint8_t *)(h + 1);
	uint32_t off = 0, flags = h->info.flags;
	bool failed = false, extras = nb->headroom != 0 || extra ||
				      h->info.gso_size != 0;

	/*
	 * As Linux completes CHECKSUM_PARTIAL for a vif without csum
	 * offload (skb_checksum_help: CHECKSUM_NONE, so netback then sets
	 * no flag at all): the frame is ours until frame_pop().
	 */
	if ((flags & NETRXF_csum_blank) &&
	    !rx_csum_blank_ok(nb, data, h->len)) {
		csum_complete(data, h->len);
		flags &= ~(NETRXF_csum_blank | NETRXF_data_validated);
	}

	/*
	 * As Linux's xenvif_rx_data_slot(): every slot's data starts at the
	 * headroom, and its response says offset 0 and a size that counts
	 * the headroom in.
	 */
	do {
		uint32_t chunk = h->len - off;
		netif_rx_response_t *rsp;
		netif_rx_request_t req;
		int16_t rc;

		if (chunk > NB_PAGE_SIZE - nb->headroom)
			chunk = NB_PAGE_SIZE - nb->headroom;
		RING_COPY_REQUEST(&q->rx, q->rx.req_cons, &req);
		rc = gnttab_copy_to(nb->fe_gt, 0, req.gref, nb->headroom,
				    chunk, data + off);
		rsp = rx_next_rsp(q);
		rsp->id = req.id;
		rsp->offset = 0;
		rsp->flags = (off == 0 ? flags : 0) |
			     (off == 0 && extras ? NETRXF_extra_info : 0) |
			     (off + chunk < h->len ? NETRXF_more_data : 0);
		rsp->status = rc == GNTST_okay ?
			      (int16_t)(nb->headroom + chunk) : NETIF_RSP_ERROR;
		if (rc != GNTST_okay)
			failed = true;
		if (q->adv != NULL)
			nb_adv_rx_rsp(q, q->rx.req_cons, req.gref, rsp);
		q->rx.req_cons++;
		if (off == 0)
			rx_extras(q, h, extra);
		off += chunk;
	} while (off < h->len);
	if (failed) {
		__atomic_fetch_add(&q->st.rx_drops, 1, __ATOMIC_RELAXED);
		return;
	}
	nb_stat_add(&q->st.rx_pkts, 1);
	nb_stat_add(&q->st.rx_bytes, h->len);
	if (h->info.gso_size != 0)
		nb_stat_add(&q->st.rx_gso, 1);
}

/*
 * Deliver, dropping or filtering out, what comes next of frame h: the
 * frame, or its next segment (last: it was the frame's last). False when
 * it waits for more of the avail RX requests.
 */
static bool
rx_one(struct nb_queue *q, struct frame_hdr *h, unsigned int *avail,
       bool *last)
{
	struct netback *nb = q->nb;
	unsigned int need, data, extra = 0;
	struct frame_hdr *f = h;

	if (q->seg_next == 0 && rx_filtered(q, h))
		return true;
	if (q->adv != NULL)
		f = nb_adv_rx_frame(q, h, &extra);
	need = rx_need(q, f, &data);
	/* Without SG, data in one slot; extra-info slots come all the
	 * same (Linux's vif keeps such frames under its MTU). */
	if (need == 0 || (data > 1 && !nb->fe_sg) ||
	    need + extra > RING_SIZE(&q->rx)) {
		__atomic_fetch_add(&q->st.rx_drops, 1, __ATOMIC_RELAXED);
		return true;
	}
	need += extra;
	if (*avail < need)
		return false;
	if (rx_segmenting(nb, f))
		f = rx_segment(q, f, last);
	rx_deliver(q, f, extra);
	*avail -= need;
	return true;
}

/* RX requests we may fill now; the adversary may hold some back. */
static unsigned int
rx_avail(struct nb_queue *q, RING_IDX prod)
{
	if (q->adv == NULL)
		return prod - q->rx.req_cons;
	return nb_adv_rx_avail(q, prod);
}

/* The first waiting frame, round robin over the queue's frame rings. */
static struct frame_hdr *
rx_next(struct nb_queue *q, struct frame_ring **ring)
{
	unsigned int i;

	for (i = 0; i < q->nr_in; i++) {
		struct frame_hdr *h;

		*ring = q->in[q->next_in];
		h = frame_peek(*ring);
		if (h != NULL)
			return h;
		q->next_in = (q->next_in + 1) % q->nr_in;
	}
	return NULL;
}

static unsigned int
rx_process(struct nb_queue *q)
{
	RING_IDX prod = __atomic_load_n(&q->rx.sring->req_prod,
					__ATOMIC_ACQUIRE);
	RING_IDX from = q->rx.rsp_prod_pvt;
	struct frame_ring *ring;
	struct frame_hdr *h;
	unsigned int done = 0, avail;
	int notify;

	if (RING_REQUEST_PROD_OVERFLOW(&q->rx, prod)) {
		ring_overflow(q, "RX", prod, q->rx.req_cons);
		return 0;
	}
	avail = rx_avail(q, prod);
	/* An endless extra-info chain: every request is one more link. */
	while (q->adv != NULL && nb_adv_rx_chain(q) && avail != 0) {
		nb_adv_rx_extra(q, rx_extra(q));
		avail--;
		done++;
	}
	while (done < RX_BUDGET && (h = rx_next(q, &ring)) != NULL) {
		bool last = true;

		if (!rx_one(q, h, &avail, &last))
			break;
		done++;
		/* The next segment of the same frame first. */
		if (!last)
			continue;
		frame_pop(ring, h);
		q->seg_next = 0;
		q->next_in = (q->next_in + 1) % q->nr_in;
	}
	rx_publish(q);
	nb_stat_add(&q->st.rx_reqs, q->rx.rsp_prod_pvt - from);
	if (q->rx.rsp_prod_pvt == from)
		return done;
	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&q->rx, notify);
	if (q->adv != NULL && nb_adv_pushed(q, true, from))
		notify = 1;
	q->want_rx_notify |= notify;
	return done;
}

static unsigned int
rx_room(struct nb_queue *q)
{
	return __atomic_load_n(&q->rx.sring->req_prod, __ATOMIC_ACQUIRE) -
	       q->rx.req_cons;
}

/*
 * Before sleeping: ask the frontend for an event once it has posted the
 * RX requests the first waiting frame needs (or, for a generator, one
 * frame's worth). True when they are already there.
 */
static bool
rx_arm(struct nb_queue *q)
{
	struct netback *nb = q->nb;
	struct frame_ring *ring;
	struct frame_hdr *h = rx_next(q, &ring);
	unsigned int need, data;
	RING_IDX prod;

	if (h != NULL)
		need = rx_need(q, h, &data);
	else if (nb->end == NB_END_GEN)
		need = nb_rx_slots(nb, nb->gen_size);
	else
		return false;
	do {
		prod = __atomic_load_n(&q->rx.sring->req_prod,
				       __ATOMIC_ACQUIRE);
		if (rx_avail(q, prod) >= need)
			return true;
		q->rx.sring->req_event = prod + 1;
		mb();
	} while (__atomic_load_n(&q->rx.sring->req_prod,
				 __ATOMIC_ACQUIRE) != prod);
	return false;
}

static void
drain_fd(struct nb_queue *q, int fd, bool count)
{
	uint64_t v;

	if (read(fd, &v, sizeof(v)) == sizeof(v) && count)
		nb_stat_add(&q->st.notify_in, 1);
}

/* Event mode: no work, so sleep until an event channel, the end or a
 * peer's kick says there may be some. */
static void
queue_sleep(struct nb_queue *q, bool live)
{
	struct timespec until, *tmo = NULL;
	struct frame_ring *ring;
	struct pollfd pfd[4];
	nfds_t n = 0, i;
	int more = 0;

	__atomic_store_n(&q->sleeping, 1, __ATOMIC_SEQ_CST);
	mb();	/* peers see sleeping before we look at their frames */
	if (live) {
		RING_FINAL_CHECK_FOR_REQUESTS(&q->tx, more);
		if (more || rx_arm(q)) {
			__atomic_store_n(&q->sleeping, 0, __ATOMIC_RELAXED);
			return;
		}
	}
	pfd[n++] = (struct pollfd){ .fd = q->kick_fd, .events = POLLIN };
	if (live) {
		pfd[n++] = (struct pollfd){ .fd = q->tx_wait,
					    .events = POLLIN };
		if (q->nr_ports == 2)
			pfd[n++] = (struct pollfd){ .fd = q->rx_wait,
						    .events = POLLIN };
		if (q->end_fd >= 0 && vif_end_can_input(q))
			pfd[n++] = (struct pollfd){ .fd = q->end_fd,
						    .events = POLLIN };
	}
	/* Held requests fall due with no event to say so. */
	if (live && q->adv != NULL &&
	    nb_adv_timeout(q, rx_next(q, &ring) != NULL, &until))
		tmo = &until;
	if (ppoll(pfd, n, tmo, NULL) > 0) {
		for (i = 0; i < n; i++) {
			if (!(pfd[i].revents & POLLIN) ||
			    pfd[i].fd == q->end_fd)
				continue;
			drain_fd(q, pfd[i].fd, pfd[i].fd != q->kick_fd);
		}
	}
	__atomic_store_n(&q->sleeping, 0, __ATOMIC_RELAXED);
}

/*
 * The rings are about to go: answer the late packets, as Linux's dealloc
 * thread answers every packet still mapped before it lets them go, so
 * that a frontend that stays sees all its answers and a reconnect starts
 * with none pending.
 */
static void
tx_flush_late(struct nb_queue *q)
{
	int notify;

	if (tx_answer_late(q) == 0)
		return;
	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&q->tx, notify);
	q->want_tx_notify |= notify;
	flush_notify(q);
}

static inline void
cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ volatile("yield");
#endif
}

static void *
queue_main(void *arg)
{
	struct nb_queue *q = arg;
	struct netback *nb = q->nb;
	unsigned int idle = 0;

	while (!__atomic_load_n(&q->stop, __ATOMIC_ACQUIRE)) {
		bool live = !__atomic_load_n(&nb->disabled, __ATOMIC_RELAXED);
		unsigned int work = 0;

		if (live) {
			work = tx_process(q);
			work += vif_end_input(q, rx_room(q));
			work += rx_process(q);
			if (q->adv != NULL && nb_adv_poll(q))
				q->want_tx_notify = q->want_rx_notify = true;
			flush_notify(q);
		}
		if (work != 0) {
			idle = 0;
		} else if (!nb->poll_mode || !live) {
			queue_sleep(q, live);
		} else if (++idle < POLL_SPIN) {
			cpu_relax();
		} else {
			idle = 0;
			sched_yield();	/* 2 cores: let others run */
		}
	}
	tx_flush_late(q);
	return NULL;
}

int
nb_ring_open(struct netback *nb)
{
	unsigned int i;

	for (i = 0; nb_knobs_adversary(&nb->k) && i < nb->max_queues; i++) {
		nb->q[i].adv = nb_adv_create(&nb->k);
		if (nb->q[i].adv == NULL)
			return -1;
	}
	return 0;
}

void
nb_ring_close(struct netback *nb)
{
	unsigned int i;

	for (i = 0; i < NB_MAX_QUEUES; i++) {
		nb_adv_destroy(nb->q[i].adv);
		nb->q[i].adv = NULL;
	}
}

void
nb_ring_reset(struct netback *nb)
{
	unsigned int i;

	for (i = 0; i < nb->max_queues; i++)
		if (nb->q[i].adv != NULL)
			nb_adv_reset(&nb->q[i]);
}

int
nb_threads_start(struct netback *nb)
{
	unsigned int i, j;

	for (i = 0; i < nb->nr_queues; i++) {
		struct nb_queue *q = &nb->q[i];
		char name[16];
		int rc;

		/* Frames queued while the frontend was away are stale. */
		for (j = 0; j < q->nr_in; j++)
			frame_flush(q->in[j]);
		q->seg_next = 0;
		q->stop = 0;
		rc = pthread_create(&q->thread, NULL, queue_main, q);
		if (rc != 0) {
			nb_threads_stop(nb);
			return -rc;
		}
		q->running = true;
		snprintf(name, sizeof(name), "nb%u.%u-q%u", nb->domid & 0xffu,
			 nb->handle & 0xffu, i & 0xfu);
		pthread_setname_np(q->thread, name);
	}
	return 0;
}

void
nb_threads_stop(struct netback *nb)
{
	unsigned int i;

	for (i = 0; i < NB_MAX_QUEUES; i++) {
		struct nb_queue *q = &nb->q[i];
		uint64_t one = 1;

		if (!q->running)
			continue;
		__atomic_store_n(&q->stop, 1, __ATOMIC_RELEASE);
		if (write(q->kick_fd, &one, sizeof(one)) != sizeof(one))
			fprintf(stderr, "xensim: cannot wake queue %u\n", i);
		pthread_join(q->thread, NULL);
		q->running = false;
	}
}
