/* SPDX-License-Identifier: BSD-3-Clause */
/* Forwarding modes and the lcore loop. Each stream belongs to one lcore,
 * so its counters and queues need no locking.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "fwd.h"
#include "offload.h"

/* Empty polls in a row before an lcore sleeps on its RX interrupts. */
#define IDLE_POLLS	256
#define INTR_WAIT_MS	100
#define TX_RETRY_US	1	/* as testpmd's burst_tx_delay_time */

static inline void
ctr_add(uint64_t *c, uint64_t n)
{
	/* single writer: a relaxed store keeps the live reader race-free */
	__atomic_store_n(c, *c + n, __ATOMIC_RELAXED);
}

static void
count_rx(struct stream *s, struct rte_mbuf **pkts, uint16_t n)
{
	uint64_t bytes = 0;
	uint16_t i;

	for (i = 0; i < n; i++)
		bytes += rte_pktmbuf_pkt_len(pkts[i]);
	ctr_add(&s->st.rx_pkts, n);
	ctr_add(&s->st.rx_bytes, bytes);
}

/* --rx-sum: every byte of a frame, all segments, summed in 8-byte words
 * (a short tail zero-padded), as cheap as a read of the data can be.
 */
static uint64_t
frame_sum(const struct rte_mbuf *m)
{
	const uint8_t *p;
	uint64_t sum = 0, w;
	uint32_t len;

	for (; m != NULL; m = m->next) {
		p = rte_pktmbuf_mtod(m, const uint8_t *);
		len = rte_pktmbuf_data_len(m);
		for (; len >= sizeof(w); len -= sizeof(w), p += sizeof(w)) {
			memcpy(&w, p, sizeof(w));
			sum += w;
		}
		if (len > 0) {
			w = 0;
			memcpy(&w, p, len);
			sum += w;
		}
	}
	return sum;
}

/* Transmit and count; the lengths are taken first because a sent mbuf
 * belongs to the driver (and maybe already to its receiver).
 */
static uint16_t
tx_counted(struct stream *s, struct rte_mbuf **pkts, uint16_t n)
{
	uint32_t lens[NFT_MAX_BURST];
	uint64_t bytes = 0;
	uint16_t i, sent;

	for (i = 0; i < n; i++)
		lens[i] = rte_pktmbuf_pkt_len(pkts[i]);
	sent = rte_eth_tx_burst(s->tx_port, s->tx_queue, pkts, n);
	for (i = 0; i < sent; i++)
		bytes += lens[i];
	ctr_add(&s->st.tx_pkts, sent);
	ctr_add(&s->st.tx_bytes, bytes);
	return sent;
}

/* What the TX queue does not take is offered again up to --tx-retry
 * times, TX_RETRY_US apart, then dropped. */
static void
forward(const struct fwd *f, struct stream *s, struct rte_mbuf **pkts,
	uint16_t n)
{
	uint16_t sent = tx_counted(s, pkts, n);
	unsigned int r;

	for (r = 0; sent < n && r < f->tx_retry; r++) {
		rte_delay_us(TX_RETRY_US);
		sent += tx_counted(s, pkts + sent, n - sent);
	}
	if (sent < n) {
		ctr_add(&s->st.tx_drop, n - sent);
		rte_pktmbuf_free_bulk(pkts + sent, n - sent);
	}
}

static void
stream_io(const struct fwd *f, struct stream *s, bool run)
{
	struct rte_mbuf *pkts[NFT_MAX_BURST];
	uint16_t n;

	n = rte_eth_rx_burst(s->rx_port, s->rx_queue, pkts, f->burst);
	if (n == 0)
		return;
	count_rx(s, pkts, n);
	if (f->offloads)
		offload_rx_to_tx(pkts, n);
	forward(f, s, pkts, n);
}

static void
stream_macswap(const struct fwd *f, struct stream *s, bool run)
{
	struct rte_mbuf *pkts[NFT_MAX_BURST];
	struct rte_ether_addr tmp;
	struct rte_ether_hdr *eh;
	uint16_t i, n;

	n = rte_eth_rx_burst(s->rx_port, s->rx_queue, pkts, f->burst);
	if (n == 0)
		return;
	count_rx(s, pkts, n);
	for (i = 0; i < n; i++) {
		if (rte_pktmbuf_data_len(pkts[i]) < sizeof(*eh))
			continue;
		eh = rte_pktmbuf_mtod(pkts[i], struct rte_ether_hdr *);
		rte_ether_addr_copy(&eh->src_addr, &tmp);
		rte_ether_addr_copy(&eh->dst_addr, &eh->src_addr);
		rte_ether_addr_copy(&tmp, &eh->dst_addr);
	}
	forward(f, s, pkts, n);
}

/* Returns the number of frames received. */
static uint16_t
rx_free(const struct fwd *f, struct stream *s, bool check)
{
	struct rte_mbuf *pkts[NFT_MAX_BURST];
	uint16_t i, n;

	n = rte_eth_rx_burst(s->rx_port, s->rx_queue, pkts, f->burst);
	if (n == 0)
		return 0;
	count_rx(s, pkts, n);
	if (check)
		for (i = 0; i < n; i++)
			verify_check(&s->vrx, pkts[i]);
	if (f->rx_sum) {
		uint64_t sum = 0;

		for (i = 0; i < n; i++)
			sum += frame_sum(pkts[i]);
		ctr_add(&s->st.rx_sum, sum);
	}
	rte_pktmbuf_free_bulk(pkts, n);
	return n;
}

/* Send generated frames; unsent ones stay pending for the next round. */
static void
tx_generated(const struct fwd *f, struct stream *s, bool run)
{
	uint16_t sent;

	if (!run)
		return;
	if (s->nb_pend == 0) {
		if (s->tx_quota == 0)
			return;
		s->nb_pend = gen_burst(&s->gen, s->pend,
				       RTE_MIN((uint64_t)f->burst,
					       s->tx_quota));
		s->pend_off = 0;
	}
	sent = tx_counted(s, s->pend + s->pend_off, s->nb_pend);
	s->pend_off += sent;
	s->nb_pend -= sent;
	__atomic_store_n(&s->tx_quota, s->tx_quota - sent, __ATOMIC_RELAXED);
}

static void
stream_rxonly(const struct fwd *f, struct stream *s, bool run)
{
	rx_free(f, s, false);
}

static void
stream_txonly(const struct fwd *f, struct stream *s, bool run)
{
	tx_generated(f, s, run);
	/* keep loopback and echo paths from filling up */
	rx_free(f, s, false);
}

/* Every verify frame comes back to some stream of this run (echo,
 * loopback, or a pair of our ports), so frames sent minus frames received
 * over all streams are in flight. Bounding that keeps an echo path (our tx
 * ring plus its return ring) from overflowing the return ring, which would
 * count as loss. Lost frames never return, so after stall_tsc without rx
 * progress the window stops holding tx back.
 */
/* Frames sent and received by every stream so far. */
static void
sum_all(const struct fwd *f, uint64_t *tx, uint64_t *rx)
{
	unsigned int i;

	*tx = 0;
	*rx = 0;
	for (i = 0; i < f->nb_streams; i++) {
		*tx += ctr_read(&f->streams[i].st.tx_pkts);
		*rx += ctr_read(&f->streams[i].st.rx_pkts);
	}
}

static bool
window_open(const struct fwd *f, struct stream *s)
{
	uint64_t tx, rx, now;

	sum_all(f, &tx, &rx);
	if (tx < rx + f->written_off + (uint64_t)f->window * f->nb_streams)
		return true;
	now = rte_rdtsc();
	if (rx != s->seen_rx) {
		s->seen_rx = rx;
		s->rx_tsc = now;
		return false;
	}
	return now - s->rx_tsc >= f->stall_tsc;
}

static void
stream_verify(const struct fwd *f, struct stream *s, bool run)
{
	rx_free(f, s, true);
	if (run && s->nb_pend == 0 && f->window != 0 && !window_open(f, s))
		return;
	tx_generated(f, s, run);
}

static const stream_fn mode_fns[] = {
	[FWD_IO] = stream_io,
	[FWD_MACSWAP] = stream_macswap,
	[FWD_TXONLY] = stream_txonly,
	[FWD_RXONLY] = stream_rxonly,
	[FWD_VERIFY] = stream_verify,
};

static int
stream_init(struct fwd *f, struct stream *s, const struct app_config *cfg,
	    uint16_t pi, uint16_t q, struct rte_mempool *mp,
	    const struct verify_tpl *tpl)
{
	struct rte_ether_addr src, dst;
	uint16_t peer = f->ports[fwd_peer(pi, f->nb_ports)];
	int ret;

	s->rx_port = f->ports[pi];
	s->rx_queue = q;
	s->tx_port = cfg->mode == FWD_IO || cfg->mode == FWD_MACSWAP ?
		     peer : s->rx_port;
	s->tx_queue = q;
	s->tx_quota = UINT64_MAX;
	if (cfg->count != 0)
		s->tx_quota = cfg->count / f->nb_queues +
			      (q < cfg->count % f->nb_queues);
	if (!config_mode_generates(cfg->mode))
		return 0;
	if (rte_eth_macaddr_get(s->tx_port, &src) != 0 ||
	    rte_eth_macaddr_get(peer, &dst) != 0)
		return -ENODEV;
	ret = gen_init(&s->gen, tpl, mp, cfg, &src, &dst,
		       verify_flow_id(s->tx_port, q));
	if (ret < 0)
		return ret;
	if (cfg->mode == FWD_VERIFY)
		return verify_rx_init(&s->vrx, f->port_limit, f->nb_queues);
	return 0;
}

int
fwd_init(struct fwd *f, const struct app_config *cfg, const uint16_t *ports,
	 uint16_t nb_ports, struct rte_mempool *mp,
	 struct rte_mempool *const *gen_mp, const struct verify_tpl *tpl)
{
	uint16_t i, q;
	int ret;

	memset(f, 0, sizeof(*f));
	f->mode = cfg->mode;
	f->burst = cfg->burst;
	f->window = cfg->window;
	f->stall_tsc = rte_get_tsc_hz() / 10;	/* 100 ms */
	f->fn = mode_fns[cfg->mode];
	f->nb_ports = nb_ports;
	f->nb_queues = cfg->nb_queues;
	f->rx_intr = cfg->rx_intr;
	f->offloads = cfg->offloads;
	f->tx_retry = cfg->tx_retry;
	f->core_cycles = cfg->core_cycles;
	f->rx_sum = cfg->rx_sum;
	for (i = 0; i < nb_ports; i++) {
		f->ports[i] = ports[i];
		f->port_limit = RTE_MAX(f->port_limit, ports[i] + 1);
	}
	f->streams = rte_zmalloc("streams", (size_t)nb_ports *
				 cfg->nb_queues * sizeof(*f->streams),
				 RTE_CACHE_LINE_SIZE);
	if (f->streams == NULL)
		return -ENOMEM;
	for (i = 0; i < nb_ports; i++) {
		for (q = 0; q < cfg->nb_queues; q++) {
			ret = stream_init(f, &f->streams[f->nb_streams], cfg,
					  i, q, gen_mp[i] != NULL ? gen_mp[i] :
					  mp, tpl);
			/* counted before the check so fwd_free sees it */
			f->nb_streams++;
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

void
fwd_free(struct fwd *f)
{
	unsigned int i;

	for (i = 0; i < f->nb_streams; i++) {
		struct stream *s = &f->streams[i];

		if (s->nb_pend > 0)
			rte_pktmbuf_free_bulk(s->pend + s->pend_off,
					      s->nb_pend);
		verify_rx_free(&s->vrx);
	}
	rte_free(f->streams);
	f->streams = NULL;
	f->nb_streams = 0;
}

/* Our RX queues' interrupts in this thread's epoll set (again after a
 * port reset, which makes new ones). */
static void
lcore_intr_add(const struct lcore_ctx *lc)
{
	const struct fwd *f = lc->f;
	unsigned int i;

	for (i = lc->first; i < f->nb_streams; i += lc->step) {
		const struct stream *s = &f->streams[i];

		if (rte_eth_dev_rx_intr_ctl_q(s->rx_port, s->rx_queue,
					      RTE_EPOLL_PER_THREAD,
					      RTE_INTR_EVENT_ADD, NULL) < 0)
			printf("warning: port %u queue %u: no RX interrupt, "
			       "polling\n", s->rx_port, s->rx_queue);
	}
}

/*
 * Idle: arm every RX queue of ours and sleep until one has a frame (or
 * INTR_WAIT_MS, to see phase changes); a queue that got one while being
 * armed (-EAGAIN) means no sleep.
 */
static void
lcore_sleep(const struct lcore_ctx *lc)
{
	const struct fwd *f = lc->f;
	struct rte_epoll_event ev[8];
	bool armed = true;
	unsigned int i;

	for (i = lc->first; i < f->nb_streams; i += lc->step) {
		const struct stream *s = &f->streams[i];

		if (rte_eth_dev_rx_intr_enable(s->rx_port, s->rx_queue) != 0)
			armed = false;
	}
	if (armed)
		rte_epoll_wait(RTE_EPOLL_PER_THREAD, ev, RTE_DIM(ev),
			       INTR_WAIT_MS);
	for (i = lc->first; i < f->nb_streams; i += lc->step)
		rte_eth_dev_rx_intr_disable(f->streams[i].rx_port,
					    f->streams[i].rx_queue);
}

/* Frames received by our streams so far. */
static uint64_t
lcore_rx(const struct lcore_ctx *lc)
{
	const struct fwd *f = lc->f;
	uint64_t rx = 0;
	unsigned int i;

	for (i = lc->first; i < f->nb_streams; i += lc->step)
		rx += f->streams[i].st.rx_pkts;
	return rx;
}

/* Out of every burst while the main lcore holds us. */
static void
lcore_park(struct lcore_ctx *lc)
{
	const struct fwd *f = lc->f;

	__atomic_store_n(&lc->held, 1, __ATOMIC_RELEASE);
	while (__atomic_load_n(&f->hold, __ATOMIC_ACQUIRE))
		rte_pause();
	__atomic_store_n(&lc->held, 0, __ATOMIC_RELEASE);
	if (f->rx_intr)
		lcore_intr_add(lc);
}

static int
lcore_main(void *arg)
{
	struct lcore_ctx *lc = arg;
	const struct fwd *f = lc->f;
	uint64_t rx = 0, now, tsc, start = rte_rdtsc(), last = start;
	unsigned int i, idle = 0;
	int phase;

	if (f->rx_intr)
		lcore_intr_add(lc);
	while ((phase = __atomic_load_n(&f->phase, __ATOMIC_ACQUIRE)) !=
	       PHASE_STOP) {
		if (unlikely(__atomic_load_n(&f->hold, __ATOMIC_ACQUIRE))) {
			lcore_park(lc);
			last = rte_rdtsc();	/* parked is not busy */
			continue;
		}
		for (i = lc->first; i < f->nb_streams; i += lc->step)
			f->fn(f, &f->streams[i], phase == PHASE_RUN);
		if (!f->rx_intr && !f->core_cycles)
			continue;
		now = lcore_rx(lc);
		idle = now == rx ? idle + 1 : 0;
		rx = now;
		if (f->core_cycles) {
			tsc = rte_rdtsc();
			if (idle == 0)
				lc->busy_tsc += tsc - last;
			last = tsc;
		}
		if (f->rx_intr && idle == IDLE_POLLS) {
			lcore_sleep(lc);
			idle = 0;
			last = rte_rdtsc();
		}
	}
	lc->all_tsc = rte_rdtsc() - start;
	return 0;
}

int
fwd_launch(struct fwd *f)
{
	unsigned int lcore, workers = rte_lcore_count() - 1, k = 0;

	if (workers == 0)
		return -ENODEV;
	f->nb_lcores = RTE_MIN(workers, f->nb_streams);
	fwd_set_phase(f, PHASE_RUN);
	RTE_LCORE_FOREACH_WORKER(lcore) {
		struct lcore_ctx *lc = &f->lcores[k];

		if (k == f->nb_lcores)
			break;
		lc->f = f;
		lc->first = k++;
		lc->step = f->nb_lcores;
		if (rte_eal_remote_launch(lcore_main, lc, lcore) != 0) {
			fwd_set_phase(f, PHASE_STOP);
			rte_eal_mp_wait_lcore();
			return -EBUSY;
		}
	}
	return 0;
}

void
fwd_set_phase(struct fwd *f, enum run_phase phase)
{
	__atomic_store_n(&f->phase, phase, __ATOMIC_RELEASE);
}

void
fwd_wait(struct fwd *f)
{
	rte_eal_mp_wait_lcore();
}

bool
fwd_count_reached(const struct fwd *f, uint64_t count)
{
	uint64_t rx[RTE_MAX_ETHPORTS] = { 0 };
	unsigned int i;

	for (i = 0; i < f->nb_streams; i++) {
		const struct stream *s = &f->streams[i];

		if (config_mode_generates(f->mode)) {
			if (ctr_read(&s->tx_quota) != 0)
				return false;
		} else {
			rx[s->rx_port] += ctr_read(&s->st.rx_pkts);
		}
	}
	if (config_mode_generates(f->mode))
		return true;
	for (i = 0; i < f->nb_ports; i++)
		if (rx[f->ports[i]] < count)
			return false;
	return true;
}

void
fwd_core_cycles(const struct fwd *f, uint64_t *busy, uint64_t *all)
{
	unsigned int k;

	*busy = 0;
	*all = 0;
	for (k = 0; k < f->nb_lcores; k++) {
		*busy += f->lcores[k].busy_tsc;
		*all += f->lcores[k].all_tsc;
	}
}

void
fwd_hold(struct fwd *f)
{
	unsigned int k;

	__atomic_store_n(&f->hold, 1, __ATOMIC_RELEASE);
	for (k = 0; k < f->nb_lcores; k++)
		while (!__atomic_load_n(&f->lcores[k].held, __ATOMIC_ACQUIRE))
			rte_pause();
}

void
fwd_release(struct fwd *f)
{
	__atomic_store_n(&f->hold, 0, __ATOMIC_RELEASE);
}

void
fwd_write_off(struct fwd *f)
{
	uint64_t tx, rx;

	sum_all(f, &tx, &rx);
	if (tx > rx + f->written_off)
		f->written_off = tx - rx;
}
