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
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>
#include <rte_tcp.h>

#include "xenplat.h"
#include "netfront.h"
#include "rte_pmd_netfront.h"
#include "fixture.h"

static_assert(FX_BURST_MAX <= NET_TX_RING_SIZE &&
	      FX_BURST_MAX <= NET_RX_RING_SIZE, "a burst fits a ring");

/* Enough for a full RX ring plus a full burst held by the application. */
#define FX_RX_PAGES	1024u
/* The application's RX mbufs: the pages' plus the driver's stash. */
#define FX_RX_MBUFS	(FX_RX_PAGES + NETFRONT_RX_STASH)
/* RX copying: a burst the application holds plus the driver's stash. */
#define FX_RX_COPY_MBUFS	(FX_BURST_MAX + NETFRONT_RX_STASH)
/* Application mbufs for TX: a burst in flight plus the lcore cache. */
#define FX_TX_MBUFS	2047u
#define FX_TX_CACHE	256u
/* The headers of the offload benchmarks' frames: Ethernet, IPv4, TCP. */
#define FX_HDR_LEN	(RTE_ETHER_HDR_LEN + sizeof(struct rte_ipv4_hdr) + \
			 sizeof(struct rte_tcp_hdr))
#define FX_TSO_LEN	(FX_HDR_LEN + FX_TSO_SEGS * FX_TSO_MSS)
#define FX_CSUM_FLAGS	(RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM | \
			 RTE_MBUF_F_TX_TCP_CKSUM)
#define FX_TSO_FLAGS	(RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM | \
			 RTE_MBUF_F_TX_TCP_SEG)
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
	struct rte_mempool *zcmp;	/* a TX pool: sent in place */
	struct rte_mempool *rxmp;
	struct rte_mempool *rxcmp;	/* with data rooms, for RX copies */
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
		"--no-shconf", "--no-telemetry", prefix, "-l", "0",
		"--log-level=lib.eal:error",
	};

	/* Private files, so parallel runs do not meet. */
	snprintf(prefix, sizeof(prefix), "--file-prefix=nfmicro%d",
		 (int)getpid());
	if (rte_eal_init(RTE_DIM(argv), argv) < 0) {
		fprintf(stderr, "netfront-micro: EAL init failed: %s\n",
			rte_strerror(rte_errno));
		return -1;
	}
	/* Without shared config and telemetry the EAL keeps nothing in its
	 * runtime directory: remove it now, so that no run leaves one. */
	rmdir(rte_eal_get_runtime_dir());
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

/* Connect the queues as dev_start does; the backend takes its side. */
static int
queues_connect(struct fx *fx, char *err, size_t len)
{
	int rc = netfront_queues_connect(&fx->ad);

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

/* What the driver's queue setup ops do, without an ethdev around them. */
static int
queues_setup(struct fx *fx, char *err, size_t len)
{
	struct netfront_adapter *ad = &fx->ad;

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
	return queues_connect(fx, err, len);
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
	/* What TSO needs of the backend. */
	fx->ad.feat.sg = true;
	fx->ad.feat.gso_tcpv4 = true;
	snprintf(fx->ad.args.xensim, sizeof(fx->ad.args.xensim), "bench");
	fx->ad.xp = xenplat_open(fx->ad.args.xensim, err, len);
	if (fx->ad.xp == NULL)
		goto fail;
	fx->txmp = rte_pktmbuf_pool_create("fx_tx", FX_TX_MBUFS, FX_TX_CACHE,
					   0, RTE_MBUF_DEFAULT_BUF_SIZE,
					   SOCKET_ID_ANY);
	fx->zcmp = netfront_txpool_create(&fx->ad, "fx_txzc", FX_TX_MBUFS,
					  FX_TX_CACHE, 0, SOCKET_ID_ANY);
	fx->rxmp = rte_pktmbuf_pool_create("fx_rx", FX_RX_MBUFS, 0, 0, 0,
					   SOCKET_ID_ANY);
	fx->rxcmp = rte_pktmbuf_pool_create("fx_rxc", FX_RX_COPY_MBUFS, 0, 0,
					    RTE_MBUF_DEFAULT_BUF_SIZE,
					    SOCKET_ID_ANY);
	if (fx->txmp == NULL || fx->zcmp == NULL || fx->rxmp == NULL ||
	    fx->rxcmp == NULL) {
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

/* True, with a message in err, if mp has not all its mbufs back. */
static bool
leaked(const struct rte_mempool *mp, const char *what, char *err,
       size_t len)
{
	unsigned int out = mp->size - rte_mempool_avail_count(mp);

	if (out != 0)
		snprintf(err, len, "%u %s mbufs leaked", out, what);
	return out != 0;
}

int
fx_destroy(struct fx *fx, char *err, size_t len)
{
	struct netfront_adapter *ad = &fx->ad;
	int rc = 0;

	/* Every buffer goes back: what is missing after that leaked. */
	if (ad->nr_queues > 0)
		netfront_queues_disconnect(ad);
	if (err != NULL && (leaked(fx->txmp, "TX", err, len) ||
			    leaked(fx->zcmp, "TX pool", err, len) ||
			    leaked(fx->rxmp, "RX", err, len) ||
			    leaked(fx->rxcmp, "RX copy", err, len)))
		rc = -1;
	rte_free(fx->rxq);
	rte_free(fx->txq);
	rte_mempool_free(fx->txmp);
	/* Refused, and logged, if it leaked. */
	if (fx->zcmp != NULL)
		rte_pmd_netfront_tx_pool_free(fx->zcmp);
	rte_mempool_free(fx->rxmp);
	rte_mempool_free(fx->rxcmp);
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

/*
 * The backend: answer every posted TX request with OKAY, and its
 * extra-info slots with NULL, as netback does.
 */
static void
be_tx_answer(struct fx *fx)
{
	netif_tx_back_ring_t *b = &fx->txb;
	RING_IDX end = b->sring->req_prod;
	bool extra = false;

	rte_smp_rmb();	/* requests after the producer index */
	for (; b->req_cons != end; b->req_cons++) {
		const netif_tx_request_t *req =
			RING_GET_REQUEST(b, b->req_cons);
		netif_tx_response_t *rsp =
			RING_GET_RESPONSE(b, b->rsp_prod_pvt++);

		if (extra) {
			extra = ((const netif_extra_info_t *)req)->flags &
				XEN_NETIF_EXTRA_FLAG_MORE;
			rsp->status = NETIF_RSP_NULL;
			continue;
		}
		extra = req->flags & NETTXF_extra_info;
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
tx_alloc(struct fx *fx, struct rte_mempool *mp, unsigned int n,
	 unsigned int len)
{
	unsigned int i;

	if (rte_pktmbuf_alloc_bulk(mp, fx->pkts, n) != 0)
		return fail(fx, "%s empty", mp->name);
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

/*
 * Time tx_burst of the n packets in fx->pkts; all must be taken. What it
 * posted stays unanswered, for the caller to check.
 */
static int
tx_timed(struct fx *fx, unsigned int n, struct fx_step *s)
{
	uint64_t t0, t1;
	unsigned int sent;

	t0 = rte_rdtsc();
	sent = netfront_tx_burst(fx->txq, fx->pkts, n);
	t1 = rte_rdtsc();
	if (tx_taken(fx, n, sent) != 0)
		return -1;
	step_set(fx, s, t0, t1, sent);
	return 0;
}

/* Every id (and its block) is back once the backend answered everything. */
static int
tx_drained(struct fx *fx)
{
	if (check_quiet(fx) != 0)
		return -1;
	if (netfront_idpool_avail(&fx->txq->ids) != NET_TX_RING_SIZE ||
	    fx->txq->extras != 0)
		return fail(fx, "tx_reclaim left %u ids and %u extra-info "
			    "slots out", NET_TX_RING_SIZE -
			    netfront_idpool_avail(&fx->txq->ids),
			    fx->txq->extras);
	return 0;
}

/* The backend answers all, the driver reclaims all. */
static int
tx_finish(struct fx *fx)
{
	be_tx_answer(fx);
	netfront_tx_reclaim(fx->txq);
	return tx_drained(fx);
}

/* The n packets sent since st.zerocopy read zc all went in place. */
static int
tx_in_place(struct fx *fx, uint64_t zc, unsigned int n)
{
	unsigned int copied = n - (unsigned int)(fx->txq->st.zerocopy -
						 zc);

	if (copied != 0)
		return fail(fx, "%u of %u packets were copied, not sent in "
			    "place", copied, n);
	return 0;
}

/* Requests posted from ring index from on with flag set. */
static unsigned int
tx_flagged(const struct fx *fx, RING_IDX from, uint16_t flag)
{
	const netif_tx_front_ring_t *r = &fx->txq->ring;
	unsigned int k = 0;

	for (; from != r->req_prod_pvt; from++)
		k += (RING_GET_REQUEST(r, from)->flags & flag) != 0;
	return k;
}

/* An IPv4/TCP frame's headers in m, which asks for offloads ol. */
static void
frame_headers(struct rte_mbuf *m, uint64_t ol)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip + 1);

	memset(eth, 0, FX_HDR_LEN);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(m->pkt_len - RTE_ETHER_HDR_LEN);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_TCP;
	ip->src_addr = rte_cpu_to_be_32(RTE_IPV4(10, 0, 0, 1));
	ip->dst_addr = rte_cpu_to_be_32(RTE_IPV4(10, 0, 0, 2));
	th->data_off = sizeof(*th) << 2;
	th->tcp_flags = RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG;
	m->ol_flags = ol;
	m->l2_len = sizeof(*eth);
	m->l3_len = sizeof(*ip);
	m->l4_len = sizeof(*th);
	/* The pseudo-header sum, as DPDK asks of the application. */
	th->cksum = rte_ipv4_phdr_cksum(ip, ol);
}

/* A TSO frame of FX_TSO_LEN bytes in segments as full as they go. */
static struct rte_mbuf *
tso_frame(struct fx *fx)
{
	struct rte_mbuf *m = NULL, *tail = NULL, *seg;
	uint32_t left = FX_TSO_LEN;

	for (; left > 0; left -= seg->data_len) {
		seg = rte_pktmbuf_alloc(fx->txmp);
		if (seg == NULL) {
			rte_pktmbuf_free(m);
			return NULL;
		}
		seg->data_len = RTE_MIN(left, rte_pktmbuf_tailroom(seg));
		if (m == NULL) {
			m = seg;
		} else {
			tail->next = seg;
			m->nb_segs++;
		}
		tail = seg;
	}
	m->pkt_len = FX_TSO_LEN;
	m->tso_segsz = FX_TSO_MSS;
	frame_headers(m, FX_TSO_FLAGS);
	return m;
}

/*
 * rx_burst's result: all n packets, each as long as the backend said, in
 * a page lent (trusted) or copied into the application's mbuf.
 */
static int
rx_taken(struct fx *fx, unsigned int n, unsigned int len, unsigned int got)
{
	unsigned int i;

	for (i = 0; i < got; i++)
		if (fx->pkts[i]->pkt_len != len ||
		    !RTE_MBUF_HAS_EXTBUF(fx->pkts[i]) == fx->ad.trusted)
			break;
	if (got != n || i != got) {
		rte_pktmbuf_free_bulk(fx->pkts, got);
		return fail(fx, "rx_burst returned %u of %u packets, %u "
			    "with the right length and %s", got, n, i,
			    fx->ad.trusted ? "lent" : "copied");
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
	if (tx_alloc(fx, fx->txmp, n, 0) != 0)
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
	if (tx_alloc(fx, fx->txmp, n, len) != 0 ||
	    tx_taken(fx, n, netfront_tx_burst(fx->txq, fx->pkts, n)) != 0)
		return -1;
	return tx_finish(fx) == 0 ? (int)n : -1;
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
	uint64_t zc = fx->txq->st.zerocopy;

	if (be_rx_answer(fx, n, len) != 0 ||
	    rx_taken(fx, n, len,
		     netfront_rx_burst(fx->rxq, fx->pkts, n)) != 0 ||
	    tx_taken(fx, n, netfront_tx_burst(fx->txq, fx->pkts, n)) != 0 ||
	    tx_finish(fx) != 0 || tx_in_place(fx, zc, n) != 0)
		return -1;
	return n;
}

int
fx_tx_build(struct fx *fx, unsigned int n, unsigned int len,
	    struct fx_step *s)
{
	if (tx_alloc(fx, fx->txmp, n, len) != 0 || tx_timed(fx, n, s) != 0)
		return -1;
	return tx_finish(fx);
}

int
fx_tx_reclaim(struct fx *fx, unsigned int n, unsigned int len,
	      struct fx_step *s)
{
	uint64_t t0, t1;

	if (tx_alloc(fx, fx->txmp, n, len) != 0 ||
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
	if (fx->rxq->st.refill_short != 0)
		return fail(fx, "the RX page pool ran dry");
	return check_quiet(fx);
}

int
fx_tx_zerocopy(struct fx *fx, unsigned int n, unsigned int len,
	       struct fx_step *s)
{
	uint64_t zc = fx->txq->st.zerocopy;

	if (tx_alloc(fx, fx->zcmp, n, len) != 0 || tx_timed(fx, n, s) != 0 ||
	    tx_finish(fx) != 0)
		return -1;
	return tx_in_place(fx, zc, n);
}

int
fx_tx_csum(struct fx *fx, unsigned int n, unsigned int len,
	   struct fx_step *s)
{
	RING_IDX from = fx->txq->ring.req_prod_pvt;
	unsigned int i, blank;

	if (tx_alloc(fx, fx->txmp, n, len) != 0)
		return -1;
	for (i = 0; i < n; i++)
		frame_headers(fx->pkts[i], FX_CSUM_FLAGS);
	if (tx_timed(fx, n, s) != 0)
		return -1;
	/* The answers overwrite the requests. */
	blank = tx_flagged(fx, from, NETTXF_csum_blank);
	if (tx_finish(fx) != 0)
		return -1;
	if (blank != n)
		return fail(fx, "%u of %u packets left their TCP checksum to "
			    "the backend", blank, n);
	return 0;
}

int
fx_tx_tso(struct fx *fx, unsigned int n, struct fx_step *s)
{
	uint64_t gso = fx->txq->st.gso;
	unsigned int i, extras;

	for (i = 0; i < n; i++) {
		fx->pkts[i] = tso_frame(fx);
		if (fx->pkts[i] == NULL) {
			rte_pktmbuf_free_bulk(fx->pkts, i);
			return fail(fx, "%s empty", fx->txmp->name);
		}
	}
	if (tx_timed(fx, n, s) != 0)
		return -1;
	/* A GSO extra-info slot per part of a frame, not answered yet. */
	extras = fx->txq->extras;
	if (tx_finish(fx) != 0)
		return -1;
	gso = fx->txq->st.gso - gso;
	if (gso != n || extras < n)
		return fail(fx, "%u of %u frames went to the backend to "
			    "segment, in %u GSO slots", (unsigned int)gso, n,
			    extras);
	return 0;
}

int
fx_rx_copy(struct fx *fx, int on)
{
	netfront_queues_disconnect(&fx->ad);
	/* Untrusted, the pool's pages stay in the driver. */
	fx->ad.trusted = !on;
	fx->rxq->mp = on ? fx->rxcmp : fx->rxmp;
	return queues_connect(fx, fx->err, sizeof(fx->err));
}
