/* SPDX-License-Identifier: BSD-3-Clause */
/* netfront-testpmd: testpmd-style forwarding, generation and verification
 * over any DPDK port (EAL options, "--", then ours; see --help).
 */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_pmd_netfront.h>

#include "config.h"
#include "fwd.h"
#include "port.h"
#include "stats.h"
#include "verify.h"

#define EXIT_USAGE	2
#define POOL_CACHE	256
/* A granted TX pool's cache: its pages count toward gntalloc's limit. */
#define TX_POOL_CACHE	64
#define TICK_US		1000
/*
 * A new backend (a vif attached anew) connects once dom0's hotplug script
 * has run, which libxl allows 40 s: a start that gave up waiting (the
 * driver's timeout_ms, 10 s by default) is tried again, five tries
 * outlasting it.
 */
#define RESET_TRIES	5

struct app {
	struct app_config cfg;
	uint16_t ports[RTE_MAX_ETHPORTS];
	uint16_t nb_ports;
	uint16_t nb_started;
	struct rte_mempool *mp;
	struct rte_mempool *gen_mp[RTE_MAX_ETHPORTS];	/* --tx-pool */
	struct verify_tpl tpl;
	struct fwd fwd;
	struct report report;
	struct port_events ev;
};

static volatile sig_atomic_t nb_signals;

static void
on_signal(int sig)
{
	nb_signals++;
}

static int
install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) != 0 ||
	    sigaction(SIGTERM, &sa, NULL) != 0) {
		perror("error: sigaction");
		return -1;
	}
	return 0;
}

/* Enough mbufs to fill every rx ring (one per descriptor) and tx ring
 * (with maximal chains: a software ring holds whole chains per slot), plus
 * the frames held by the lcores (bursts, pending tx) and the caches.
 */
static unsigned int
pool_size(const struct app *a)
{
	const struct app_config *c = &a->cfg;
	uint32_t room = RTE_MBUF_DEFAULT_DATAROOM;
	uint64_t segs = (c->pkt_max + room - 1) / room;
	uint64_t queues = (uint64_t)a->nb_ports * c->nb_queues;
	uint64_t n;

	n = queues * (c->nb_rxd + c->nb_txd * segs);
	n += queues * 2 * c->burst * segs;
	n += (uint64_t)rte_lcore_count() * POOL_CACHE * 2 + 1024;
	return n > UINT32_MAX ? UINT32_MAX : (unsigned int)n;
}

/* --tx-pool: enough buffers for port's TX rings full of maximal chains,
 * the frames the lcores hold, and the caches; no more, as each page is a
 * grant. */
static unsigned int
tx_pool_size(const struct app *a, uint16_t port)
{
	const struct app_config *c = &a->cfg;
	uint32_t room = RTE_PMD_NETFRONT_TX_BUF_SIZE - RTE_PKTMBUF_HEADROOM;
	uint32_t segs = (c->pkt_max + room - 1) / room;
	struct rte_eth_dev_info info;
	uint32_t txd = c->nb_txd;

	if (rte_eth_dev_info_get(port, &info) == 0)
		txd = RTE_MIN(txd, (uint32_t)info.tx_desc_lim.nb_max);
	return c->nb_queues * (txd + 2 * c->burst) * segs +
	       rte_lcore_count() * TX_POOL_CACHE * 2;
}

/* --tx-pool: each port's generators build frames in a pool granted to
 * that port's backend, which the driver sends without a copy. */
static int
tx_pools_create(struct app *a)
{
	char name[RTE_MEMPOOL_NAMESIZE];
	uint16_t i;

	for (i = 0; a->cfg.tx_pool && i < a->nb_ports; i++) {
		snprintf(name, sizeof(name), "nft_txpool%u", i);
		a->gen_mp[i] = rte_pmd_netfront_tx_pool_create(a->ports[i],
				name, tx_pool_size(a, a->ports[i]),
				TX_POOL_CACHE, 0,
				rte_socket_id());
		if (a->gen_mp[i] == NULL) {
			fprintf(stderr, "error: port %u: no TX pool: %s "
				"(net_netfront ports only; the driver's log "
				"says why)\n", a->ports[i],
				rte_strerror(rte_errno));
			return -1;
		}
	}
	return 0;
}

/* The port that ports[i]'s frames go out through in io mode. */
static uint16_t
app_peer(const struct app *a, uint16_t i)
{
	return a->ports[fwd_peer(i, a->nb_ports)];
}

static int
find_ports(struct app *a)
{
	uint16_t p;

	RTE_ETH_FOREACH_DEV(p) {
		if (port_check(p, &a->cfg) < 0)
			return -1;
		a->ports[a->nb_ports++] = p;
	}
	if (a->nb_ports == 0) {
		fprintf(stderr, "error: no ports; add e.g. --vdev "
			"net_netfront0,... (with -d librte_net_netfront.so) "
			"to the EAL options\n");
		return -1;
	}
	if (rte_lcore_count() < 2) {
		fprintf(stderr, "error: no forwarding lcore; give EAL at "
			"least two lcores (e.g. -l 0-1): the first one only "
			"reports\n");
		return -1;
	}
	return 0;
}

static int
setup(struct app *a)
{
	int ret;

	if (find_ports(a) < 0)
		return -1;
	a->mp = rte_pktmbuf_pool_create("nft_pool", pool_size(a), POOL_CACHE,
					0, RTE_MBUF_DEFAULT_BUF_SIZE,
					rte_socket_id());
	if (a->mp == NULL) {
		fprintf(stderr, "error: cannot create a pool of %u mbufs: "
			"%s (more EAL memory, -m?)\n", pool_size(a),
			rte_strerror(rte_errno));
		return -1;
	}
	if (tx_pools_create(a) < 0)
		return -1;
	if (config_mode_generates(a->cfg.mode) &&
	    verify_tpl_init(&a->tpl, a->cfg.pkt_max) < 0) {
		fprintf(stderr, "error: out of memory for the frame "
			"template\n");
		return -1;
	}
	for (; a->nb_started < a->nb_ports; a->nb_started++)
		if (port_events_register(a->ports[a->nb_started],
					 &a->ev) < 0 ||
		    port_setup(a->ports[a->nb_started], app_peer(a,
			       a->nb_started), &a->cfg, a->mp) < 0)
			return -1;
	port_wait_links(a->ports, a->nb_ports, a->cfg.link_wait);
	ret = fwd_init(&a->fwd, &a->cfg, a->ports, a->nb_ports, a->mp,
		       a->gen_mp, &a->tpl);
	if (ret < 0) {
		fprintf(stderr, "error: stream setup: %s\n",
			rte_strerror(-ret));
		return -1;
	}
	return install_signals();
}

/*
 * RESET: the backend is back; with the forwarding lcores parked, reset
 * the port and set it up as at the start. RMV: the port stays idle.
 */
static void
handle_events(struct app *a)
{
	unsigned int t;
	uint16_t i, port;

	for (i = 0; i < a->nb_ports; i++) {
		port = a->ports[i];
		if (__atomic_exchange_n(&a->ev.removed[port], 0,
					__ATOMIC_ACQUIRE))
			printf("port %u: removed (RMV event)\n", port);
		if (!__atomic_exchange_n(&a->ev.reset_pending[port], 0,
					 __ATOMIC_ACQUIRE))
			continue;
		fwd_hold(&a->fwd);
		for (t = 1; t <= RESET_TRIES; t++) {
			if (port_reset(port, app_peer(a, i), &a->cfg,
				       a->mp) == 0) {
				fwd_write_off(&a->fwd);
				a->ev.reset_done++;
				printf("port %u: reset after a RESET event, "
				       "forwarding again\n", port);
				break;
			}
			printf("port %u: reset try %u of %u failed\n", port, t,
			       RESET_TRIES);
		}
		fwd_release(&a->fwd);
		fflush(stdout);
	}
}

/* Run until duration, count or a signal, then drain; returns the seconds
 * of the run phase (what rates are computed over).
 */
static double
control_loop(struct app *a)
{
	const struct app_config *c = &a->cfg;
	const double hz = rte_get_timer_hz();
	const uint64_t start = rte_get_timer_cycles();
	double elapsed = 0, run_secs = 0, next_live = c->stats_period;
	enum run_phase phase = PHASE_RUN;
	struct live live;

	live_start(&live);
	for (;;) {
		/* Waking every millisecond costs an idle port a few % CPU. */
		usleep(c->rx_intr ? 10 * TICK_US : TICK_US);
		handle_events(a);
		elapsed = (rte_get_timer_cycles() - start) / hz;
		if (c->stats_period > 0 && elapsed >= next_live) {
			live_print(&live, &a->fwd, elapsed);
			next_live += c->stats_period;
		}
		if (phase == PHASE_RUN &&
		    (nb_signals > 0 ||
		     (c->duration > 0 && elapsed >= c->duration) ||
		     (c->count > 0 &&
		      fwd_count_reached(&a->fwd, c->count)))) {
			run_secs = elapsed;
			phase = PHASE_DRAIN;
			fwd_set_phase(&a->fwd, phase);
		} else if (phase == PHASE_DRAIN &&
			   (elapsed >= run_secs + c->drain ||
			    nb_signals > 1)) {
			break;
		}
	}
	fwd_set_phase(&a->fwd, PHASE_STOP);
	fwd_wait(&a->fwd);
	return run_secs;
}

/* Without --max-lost only the frames still in flight when the drain ends
 * may be missing: a window and the burst that passes it per stream, or both
 * rings per stream without a window. More is loss, not latency.
 */
static uint64_t
max_lost(const struct app *a)
{
	const struct app_config *c = &a->cfg;
	uint64_t per_stream;

	if (c->max_lost != NFT_MAX_LOST_AUTO)
		return c->max_lost;
	per_stream = c->window != 0 ? (uint64_t)c->window + c->burst :
		     (uint64_t)c->nb_rxd + c->nb_txd;
	return per_stream * a->fwd.nb_streams;
}

static int
verdict(const struct app *a)
{
	const struct port_report *t = &a->report.total;
	int status = EXIT_SUCCESS;

	if (t->v.corrupt > 0 || t->v.dup > 0) {
		printf("FAIL: verify saw %" PRIu64 " corrupt and %" PRIu64
		       " duplicate frames\n", t->v.corrupt, t->v.dup);
		status = EXIT_FAILURE;
	}
	if (t->violations > 0) {
		printf("FAIL: %" PRIu64 " protocol violations counted\n",
		       t->violations);
		status = EXIT_FAILURE;
	}
	if (a->cfg.mode == FWD_VERIFY && t->lost > max_lost(a)) {
		if (a->cfg.max_lost == NFT_MAX_LOST_AUTO)
			printf("FAIL: %" PRIu64 " frames lost, more than the %"
			       PRIu64 " that may be in flight (see "
			       "--max-lost)\n", t->lost, max_lost(a));
		else
			printf("FAIL: %" PRIu64 " frames lost, more than "
			       "--max-lost %" PRIu64 "\n", t->lost,
			       a->cfg.max_lost);
		status = EXIT_FAILURE;
	}
	return status;
}

/* CPU seconds (user + system) the whole process has used. */
static double
cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* Polling lcores use their cores whole: how much of it was work. */
static void
print_busy(const struct fwd *f)
{
	uint64_t busy, all;

	fwd_core_cycles(f, &busy, &all);
	printf("busy: %.1f%% of the forwarding lcores' cycles in polls that "
	       "received packets (%.3f of %.3f s)\n",
	       all != 0 ? 100.0 * busy / all : 0.0,
	       (double)busy / rte_get_tsc_hz(), (double)all / rte_get_tsc_hz());
}

static int
run(struct app *a)
{
	double secs, cpu, wall;
	int ret, status;

	if (setup(a) < 0)
		return EXIT_FAILURE;
	ret = fwd_launch(&a->fwd);
	if (ret < 0) {
		fprintf(stderr, "error: cannot launch forwarding lcores: "
			"%s\n", rte_strerror(-ret));
		return EXIT_FAILURE;
	}
	printf("forwarding: mode %s, %u ports, %u queues each, %u lcores\n",
	       config_mode_name(a->cfg.mode), a->nb_ports, a->cfg.nb_queues,
	       a->fwd.nb_lcores);
	fflush(stdout);
	cpu = cpu_seconds();
	wall = rte_get_timer_cycles();
	secs = control_loop(a);
	cpu = cpu_seconds() - cpu;
	wall = (rte_get_timer_cycles() - wall) / rte_get_timer_hz();
	/* Every polling lcore about 100%; asleep on interrupts, near 0. */
	printf("cpu: %.2f s in %.2f s, %.1f%% of one core\n", cpu, wall,
	       100 * cpu / wall);
	if (a->cfg.core_cycles)
		print_busy(&a->fwd);
	if (report_collect(&a->report, &a->fwd, secs) < 0) {
		fprintf(stderr, "error: out of memory for the summary\n");
		return EXIT_FAILURE;
	}
	report_print(&a->report);
	printf("events: reset %" PRIu64 " (set up again %" PRIu64 "), "
	       "rmv %" PRIu64 "\n", a->ev.resets, a->ev.reset_done,
	       a->ev.rmvs);
	status = verdict(a);
	if (a->cfg.json_path != NULL &&
	    report_json(&a->report, a->cfg.json_path, status) < 0)
		status = EXIT_FAILURE;
	return status;
}

/* --tx-pool: the frames each port sent in place (the driver's xstats
 * tx_qN_zerocopy), which the pool is for. */
static void
tx_pools_report(const struct app *a)
{
	struct rte_eth_xstat_name *names;
	struct rte_eth_xstat *vals;
	uint64_t sum;
	uint16_t i;
	int n, k;

	for (i = 0; i < a->nb_started; i++) {
		if (a->gen_mp[i] == NULL)
			continue;
		n = rte_eth_xstats_get_names(a->ports[i], NULL, 0);
		names = calloc(n > 0 ? n : 1, sizeof(*names));
		vals = calloc(n > 0 ? n : 1, sizeof(*vals));
		sum = 0;
		if (n > 0 && names != NULL && vals != NULL &&
		    rte_eth_xstats_get_names(a->ports[i], names, n) == n &&
		    rte_eth_xstats_get(a->ports[i], vals, n) == n)
			for (k = 0; k < n; k++)
				if (strstr(names[k].name, "_zerocopy") != NULL)
					sum += vals[k].value;
		printf("port %u: %" PRIu64 " frames sent in place from its TX "
		       "pool\n", a->ports[i], sum);
		free(names);
		free(vals);
	}
}

static void
teardown(struct app *a)
{
	uint16_t i;

	tx_pools_report(a);
	report_free(&a->report);
	fwd_free(&a->fwd);
	while (a->nb_started > 0)
		port_close(a->ports[--a->nb_started]);
	verify_tpl_free(&a->tpl);
	rte_mempool_free(a->mp);
	/* After the ports: closing one gives back what it had in flight. */
	for (i = 0; i < a->nb_ports; i++)
		if (a->gen_mp[i] != NULL &&
		    rte_pmd_netfront_tx_pool_free(a->gen_mp[i]) != 0)
			fprintf(stderr, "warning: port %u: TX pool still "
				"in use, not freed\n", a->ports[i]);
}

int
main(int argc, char **argv)
{
	struct app *a;
	int ret, status;

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "error: EAL initialisation failed: %s\n",
			rte_strerror(rte_errno));
		return EXIT_FAILURE;
	}
	a = calloc(1, sizeof(*a));
	if (a == NULL) {
		fprintf(stderr, "error: out of memory\n");
		rte_eal_cleanup();
		return EXIT_FAILURE;
	}
	ret = config_parse(&a->cfg, argc - ret, argv + ret);
	if (ret < 0)
		status = EXIT_USAGE;
	else if (ret > 0)
		status = EXIT_SUCCESS;
	else
		status = run(a);
	teardown(a);
	free(a);
	rte_eal_cleanup();
	return status;
}
