/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A netfront queue pair set up through the driver's own pool and queue
 * code over the fake platform, and a backend that answers inline: it
 * consumes every request and writes a well-formed response for it, as a
 * polling netback whose grant copies cost nothing. What is left to time is
 * the frontend's own work per packet.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ethdev_driver.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>

#include "xenplat.h"
#include "netfront.h"
#include "fixture.h"

static_assert(FX_BURST_MAX <= NET_TX_RING_SIZE &&
	      FX_BURST_MAX <= NET_RX_RING_SIZE, "a burst fits a ring");

/* Enough for a full RX ring plus a full burst held by the application. */
#define FX_RX_PAGES	1024u
/* The application's RX mbufs: the pages' plus the driver's stash. */
#define FX_RX_MBUFS	(FX_RX_PAGES + NETFRONT_RX_STASH)
/* Application mbufs for TX: a burst in flight plus the lcore cache. */
#define FX_TX_MBUFS	2047u
#define FX_TX_CACHE	256u
/*
 * A polling backend keeps req_event half the index space ahead of the
 * producer, so the frontend's notify check never fires.
 */
#define FX_NO_KICK	(1u << 31)

struct fx {
	struct netfront_adapter ad;
	struct rte_eth_dev dev;
	struct rte_eth_dev_data data;
	void *rxqs[1];
	void *txqs[1];
	struct netfront_rxq *rxq;
	struct netfront_txq *txq;
	netif_tx_back_ring_t txb;
	netif_rx_back_ring_t rxb;
	struct rte_mempool *txmp;
	struct rte_mempool *rxmp;
	struct netfront_idpool ids;
	uint8_t *copy_src;
	uint8_t *copy_dst;
	uint64_t tsc_overhead;
	struct rte_mbuf *pkts[FX_BURST_MAX];
	char err[256];
};

int
fx_eal_init(const char *prog)
{
	char prefix[64];
	char *argv[] = {
		(char *)(uintptr_t)prog, "--no-huge", "-m", "256", "--no-pci",
		"--no-shconf", prefix, "-l", "0", "--log-level=lib.eal:error",
	};

	/* Private files, so parallel runs do not meet. */
	snprintf(prefix, sizeof(prefix), "--file-prefix=nfmicro%d",
		 (int)getpid());
	if (rte_eal_init(RTE_DIM(argv), argv) < 0) {
		fprintf(stderr, "netfront-micro: EAL init failed: %s\n",
			rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

void
fx_eal_cleanup(void)
{
	rte_eal_cleanup();
}

static int __rte_format_printf(2, 3)
fail(struct fx *fx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(fx->err, sizeof(fx->err), fmt, ap);
	va_end(ap);
	return -1;
}

const char *
fx_error(const struct fx *fx)
{
	return fx->err;
}

/* The cost of reading the TSC twice, taken off every timed call. */
static uint64_t
tsc_overhead(void)
{
	uint64_t best = UINT64_MAX;
	unsigned int i;

	for (i = 0; i < 1000; i++) {
		uint64_t t0 = rte_rdtsc();
		uint64_t t1 = rte_rdtsc();

		best = RTE_MIN(best, t1 - t0);
	}
	return best;
}

static void
step_set(const struct fx *fx, struct fx_step *s, uint64_t t0, uint64_t t1,
	 unsigned int pkts)
{
	uint64_t d = t1 - t0;

	d = d > fx->tsc_overhead ? d - fx->tsc_overhead : 0;
	s->ns = (double)d * 1e9 / (double)rte_get_tsc_hz();
	s->pkts = pkts;
}

/* What the driver's queue setup ops do, without an ethdev around them. */
static int
queues_setup(struct fx *fx, char *err, size_t len)
{
	struct netfront_adapter *ad = &fx->ad;
	int rc;

	fx->rxq = rte_zmalloc("fx_rxq", sizeof(*fx->rxq), RTE_CACHE_LINE_SIZE);
	fx->txq = rte_zmalloc("fx_txq", sizeof(*fx->txq), RTE_CACHE_LINE_SIZE);
	if (fx->rxq == NULL || fx->txq == NULL) {
		snprintf(err, len, "no memory for the queues");
		return -1;
	}
	fx->rxq->ad = ad;
	fx->rxq->mp = fx->rxmp;
	fx->txq->ad = ad;
	fx->rxqs[0] = fx->rxq;
	fx->txqs[0] = fx->txq;
	rc = netfront_queues_connect(ad);
	if (rc != 0) {
		snprintf(err, len, "cannot connect the queues: %s",
			 strerror(-rc));
		return -1;
	}
	BACK_RING_INIT(&fx->txb, fx->txq->ring.sring, NETFRONT_PAGE_SIZE);
	BACK_RING_INIT(&fx->rxb, fx->rxq->ring.sring, NETFRONT_PAGE_SIZE);
	fx->txb.sring->req_event = fx->txb.sring->req_prod + FX_NO_KICK;
	fx->rxb.sring->req_event = fx->rxb.sring->req_prod + FX_NO_KICK;
	/* Connecting posted the first RX requests with a kick. */
	fx->rxq->st.notifies = 0;
	return 0;
}

struct fx *
fx_create(char *err, size_t len)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	size_t copy_len = (size_t)FX_BURST_MAX * NETFRONT_TX_BLOCK;

	if (fx == NULL) {
		snprintf(err, len, "no memory for the fixture");
		return NULL;
	}
	fx->dev.data = &fx->data;
	fx->data.mtu = RTE_ETHER_MTU;
	fx->data.nb_rx_queues = 1;
	fx->data.nb_tx_queues = 1;
	fx->data.rx_queues = fx->rxqs;
	fx->data.tx_queues = fx->txqs;
	fx->data.dev_private = &fx->ad;
	fx->ad.dev = &fx->dev;
	fx->ad.rx_pages = FX_RX_PAGES;
	fx->ad.trusted = true;
	snprintf(fx->ad.args.xensim, sizeof(fx->ad.args.xensim), "bench");
	fx->ad.xp = xenplat_open(fx->ad.args.xensim, err, len);
	if (fx->ad.xp == NULL)
		goto fail;
	fx->txmp = rte_pktmbuf_pool_create("fx_tx", FX_TX_MBUFS, FX_TX_CACHE,
					   0, RTE_MBUF_DEFAULT_BUF_SIZE,
					   SOCKET_ID_ANY);
	fx->rxmp = rte_pktmbuf_pool_create("fx_rx", FX_RX_MBUFS, 0, 0, 0,
					   SOCKET_ID_ANY);
	if (fx->txmp == NULL || fx->rxmp == NULL) {
		snprintf(err, len, "cannot create the mempools: %s",
			 rte_strerror(rte_errno));
		goto fail;
	}
	fx->copy_src = aligned_alloc(RTE_CACHE_LINE_SIZE, copy_len);
	fx->copy_dst = aligned_alloc(RTE_CACHE_LINE_SIZE, copy_len);
	if (fx->copy_src == NULL || fx->copy_dst == NULL) {
		snprintf(err, len, "no memory for the copy baseline");
		goto fail;
	}
	memset(fx->copy_src, 0x5a, copy_len);
	memset(fx->copy_dst, 0, copy_len);
	netfront_idpool_init(&fx->ids, NET_TX_RING_SIZE);
	fx->tsc_overhead = tsc_overhead();
	if (queues_setup(fx, err, len) == 0)
		return fx;
fail:
	fx_destroy(fx, NULL, 0);
	return NULL;
}

int
fx_destroy(struct fx *fx, char *err, size_t len)
{
	struct netfront_adapter *ad = &fx->ad;
	int rc = 0;

	/* Every buffer goes back: what is missing after that leaked. */
	if (ad->nr_queues > 0)
		netfront_queues_disconnect(ad);
	if (err != NULL && rte_mempool_avail_count(fx->txmp) != FX_TX_MBUFS) {
		snprintf(err, len, "%u TX mbufs leaked",
			 FX_TX_MBUFS - rte_mempool_avail_count(fx->txmp));
		rc = -1;
	}
	if (err != NULL && rte_mempool_avail_count(fx->rxmp) != FX_RX_MBUFS) {
		snprintf(err, len, "%u RX mbufs leaked",
			 FX_RX_MBUFS - rte_mempool_avail_count(fx->rxmp));
		rc = -1;
	}
	rte_free(fx->rxq);
	rte_free(fx->txq);
	rte_mempool_free(fx->txmp);
	rte_mempool_free(fx->rxmp);
	if (ad->xp != NULL && !netfront_rxpool_adopt_xp(ad->xp))
		xenplat_close(ad->xp);
	free(fx->copy_src);
	free(fx->copy_dst);
	free(fx);
	return rc;
}

/* After every step: the driver stayed healthy and never kicked. */
static int
check_quiet(struct fx *fx)
{
	if (fx->ad.failed)
		return fail(fx, "the driver saw a protocol violation");
	if (fx->txq->st.notifies != 0 || fx->rxq->st.notifies != 0)
		return fail(fx, "the driver kicked the backend (%" PRIu64
			    " TX, %" PRIu64 " RX)", fx->txq->st.notifies,
			    fx->rxq->st.notifies);
	return 0;
}

/* The backend: answer every posted TX request with OKAY. */
static void
be_tx_answer(struct fx *fx)
{
	netif_tx_back_ring_t *b = &fx->txb;
	RING_IDX end = b->sring->req_prod;

	rte_smp_rmb();	/* requests after the producer index */
	for (; b->req_cons != end; b->req_cons++) {
		const netif_tx_request_t *req =
			RING_GET_REQUEST(b, b->req_cons);
		netif_tx_response_t *rsp =
			RING_GET_RESPONSE(b, b->rsp_prod_pvt++);

		rsp->id = req->id;
		rsp->status = NETIF_RSP_OKAY;
	}
	RING_PUSH_RESPONSES(b);
	b->sring->req_event = end + FX_NO_KICK;
}

/* The backend: fill the pages of the n oldest RX requests. */
static int
be_rx_answer(struct fx *fx, unsigned int n, unsigned int len)
{
	netif_rx_back_ring_t *b = &fx->rxb;
	unsigned int i;

	if (b->sring->req_prod - b->req_cons < n)
		return fail(fx, "only %u RX requests posted, %u wanted",
			    b->sring->req_prod - b->req_cons, n);
	rte_smp_rmb();	/* requests after the producer index */
	for (i = 0; i < n; i++) {
		const netif_rx_request_t *req =
			RING_GET_REQUEST(b, b->req_cons++);
		netif_rx_response_t *rsp =
			RING_GET_RESPONSE(b, b->rsp_prod_pvt++);

		rsp->id = req->id;
		rsp->offset = 0;
		rsp->flags = NETRXF_data_validated;
		rsp->status = len;
	}
	RING_PUSH_RESPONSES(b);
	b->sring->req_event = b->sring->req_prod + FX_NO_KICK;
	return 0;
}

static int
tx_alloc(struct fx *fx, unsigned int n, unsigned int len)
{
	unsigned int i;

	if (rte_pktmbuf_alloc_bulk(fx->txmp, fx->pkts, n) != 0)
		return fail(fx, "TX mempool empty");
	for (i = 0; i < n; i++) {
		fx->pkts[i]->data_len = len;
		fx->pkts[i]->pkt_len = len;
	}
	return 0;
}

/* tx_burst's result: all n taken, or the rest freed and an error. */
static int
tx_taken(struct fx *fx, unsigned int n, unsigned int sent)
{
	if (sent == n)
		return 0;
	rte_pktmbuf_free_bulk(fx->pkts + sent, n - sent);
	return fail(fx, "tx_burst took %u of %u packets", sent, n);
}

/* Every id (and its block) is back once the backend answered everything. */
static int
tx_drained(struct fx *fx)
{
	if (check_quiet(fx) != 0)
		return -1;
	if (netfront_idpool_avail(&fx->txq->ids) != NET_TX_RING_SIZE)
		return fail(fx, "tx_reclaim left %u ids out",
			    NET_TX_RING_SIZE -
			    netfront_idpool_avail(&fx->txq->ids));
	return 0;
}

/* rx_burst's result: all n packets, each as long as the backend said. */
static int
rx_taken(struct fx *fx, unsigned int n, unsigned int len, unsigned int got)
{
	unsigned int i;

	for (i = 0; i < got; i++)
		if (fx->pkts[i]->pkt_len != len)
			break;
	if (got != n || i != got) {
		rte_pktmbuf_free_bulk(fx->pkts, got);
		return fail(fx, "rx_burst returned %u of %u packets, %u "
			    "with the right length", got, n, i);
	}
	return check_quiet(fx);
}

int
fx_copy(struct fx *fx, unsigned int n, unsigned int len, int use_libc)
{
	unsigned int i;

	/* One block per packet, reused hot as the driver's LIFO pool does. */
	for (i = 0; i < n; i++) {
		size_t off = (size_t)i * NETFRONT_TX_BLOCK;

		if (use_libc)
			memcpy(fx->copy_dst + off, fx->copy_src + off, len);
		else
			rte_memcpy(fx->copy_dst + off, fx->copy_src + off,
				   len);
	}
	return n;
}

int
fx_mbuf_alloc_free(struct fx *fx, unsigned int n)
{
	if (tx_alloc(fx, n, 0) != 0)
		return -1;
	rte_pktmbuf_free_bulk(fx->pkts, n);
	return n;
}

int
fx_id_alloc_free(struct fx *fx, unsigned int n)
{
	uint16_t id[FX_BURST_MAX];
	unsigned int i;

	for (i = 0; i < n; i++)
		id[i] = netfront_idpool_get(&fx->ids);
	for (i = 0; i < n; i++)
		netfront_idpool_put(&fx->ids, id[i]);
	return n;
}

int
fx_tx_cycle(struct fx *fx, unsigned int n, unsigned int len)
{
	if (tx_alloc(fx, n, len) != 0 ||
	    tx_taken(fx, n, netfront_tx_burst(fx->txq, fx->pkts, n)) != 0)
		return -1;
	be_tx_answer(fx);
	netfront_tx_reclaim(fx->txq);
	return tx_drained(fx) == 0 ? (int)n : -1;
}

int
fx_rx_cycle(struct fx *fx, unsigned int n, unsigned int len)
{
	if (be_rx_answer(fx, n, len) != 0 ||
	    rx_taken(fx, n, len,
		     netfront_rx_burst(fx->rxq, fx->pkts, n)) != 0)
		return -1;
	rte_pktmbuf_free_bulk(fx->pkts, n);
	return n;
}

int
fx_fwd_cycle(struct fx *fx, unsigned int n, unsigned int len)
{
	uint64_t zc = fx->txq->st.nombuf_or_zc;

	if (be_rx_answer(fx, n, len) != 0 ||
	    rx_taken(fx, n, len,
		     netfront_rx_burst(fx->rxq, fx->pkts, n)) != 0 ||
	    tx_taken(fx, n, netfront_tx_burst(fx->txq, fx->pkts, n)) != 0)
		return -1;
	be_tx_answer(fx);
	netfront_tx_reclaim(fx->txq);
	if (fx->txq->st.nombuf_or_zc - zc != n)
		return fail(fx, "%u of %u forwarded packets were copied",
			    n - (unsigned int)(fx->txq->st.nombuf_or_zc - zc),
			    n);
	return tx_drained(fx) == 0 ? (int)n : -1;
}

int
fx_tx_build(struct fx *fx, unsigned int n, unsigned int len,
	    struct fx_step *s)
{
	uint64_t t0, t1;
	unsigned int sent;

	if (tx_alloc(fx, n, len) != 0)
		return -1;
	t0 = rte_rdtsc();
	sent = netfront_tx_burst(fx->txq, fx->pkts, n);
	t1 = rte_rdtsc();
	if (tx_taken(fx, n, sent) != 0)
		return -1;
	step_set(fx, s, t0, t1, sent);
	be_tx_answer(fx);
	netfront_tx_reclaim(fx->txq);
	return tx_drained(fx);
}

int
fx_tx_reclaim(struct fx *fx, unsigned int n, unsigned int len,
	      struct fx_step *s)
{
	uint64_t t0, t1;

	if (tx_alloc(fx, n, len) != 0 ||
	    tx_taken(fx, n, netfront_tx_burst(fx->txq, fx->pkts, n)) != 0)
		return -1;
	be_tx_answer(fx);
	t0 = rte_rdtsc();
	netfront_tx_reclaim(fx->txq);
	t1 = rte_rdtsc();
	step_set(fx, s, t0, t1, n);
	return tx_drained(fx);
}

int
fx_rx_burst(struct fx *fx, unsigned int n, unsigned int len,
	    struct fx_step *s)
{
	uint64_t t0, t1;
	unsigned int got;

	if (be_rx_answer(fx, n, len) != 0)
		return -1;
	t0 = rte_rdtsc();
	got = netfront_rx_burst(fx->rxq, fx->pkts, n);
	t1 = rte_rdtsc();
	if (rx_taken(fx, n, len, got) != 0)
		return -1;
	step_set(fx, s, t0, t1, got);
	rte_pktmbuf_free_bulk(fx->pkts, got);
	return 0;
}

/*
 * Take back the n newest RX requests the backend has not seen, as if they
 * had been answered, so that the next refill has n slots to fill.
 */
static int
rx_unpost(struct fx *fx, unsigned int n)
{
	struct netfront_rxq *rxq = fx->rxq;
	netif_rx_front_ring_t *r = &rxq->ring;
	unsigned int i;

	if (r->req_prod_pvt - fx->rxb.req_cons < n)
		return fail(fx, "only %u unseen RX requests, %u wanted",
			    r->req_prod_pvt - fx->rxb.req_cons, n);
	for (i = 0; i < n; i++) {
		const netif_rx_request_t *req =
			RING_GET_REQUEST(r, --r->req_prod_pvt);

		netfront_rxpool_put(rxq->pool, rxq->page[req->id]);
		rxq->page[req->id] = NETFRONT_NO_PAGE;
		netfront_idpool_put(&rxq->ids, req->id);
	}
	r->sring->req_prod = r->req_prod_pvt;
	r->sring->req_event = r->req_prod_pvt + FX_NO_KICK;
	return 0;
}

int
fx_rx_refill(struct fx *fx, unsigned int n, struct fx_step *s)
{
	RING_IDX before;
	uint64_t t0, t1;

	if (rx_unpost(fx, n) != 0)
		return -1;
	before = fx->rxq->ring.req_prod_pvt;
	t0 = rte_rdtsc();
	netfront_rx_refill(fx->rxq);
	t1 = rte_rdtsc();
	/* Below the refill batch the driver waits: 0 now, more later. */
	step_set(fx, s, t0, t1, fx->rxq->ring.req_prod_pvt - before);
	if (fx->rxq->st.nombuf_or_zc != 0)
		return fail(fx, "the RX page pool ran dry");
	return check_quiet(fx);
}
