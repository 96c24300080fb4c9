/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tests of net_netfront against xensim, one scenario per invocation:
 *   pmd_test EAL_ARGS -- MODE [ARGS]
 * The port under test is the first --vdev given to EAL.
 *   echo QUEUES [MAX_NOTIFIES|- [RUN]]
 *                          frames of 60..9000 bytes come back intact, with
 *                          at most MAX_NOTIFIES event channel kicks; with
 *                          RUN, a verifying backend saw no violation
 *   handshake QUEUES SPLIT RUN
 *                          xenstore keys, promiscuous and all-multicast
 *                          on for good, stop/start, close/re-open,
 *                          every grant revoked (RUN/status.json)
 *   violation XSTAT        traffic makes the backend misbehave: the
 *                          xstats ending in XSTAT count it, the link goes
 *                          down with an LSC event, bursts stop
 *   errors                 some frames are bad (runt, oversize): ierrors
 *                          counts them, no violation, traffic goes on
 *   survive                a hostile backend: every frame delivered is
 *                          intact, or a violation stopped the port
 *   rewrite stable|changes RUN
 *                          received frames are held past the backend's
 *                          page rewrites: none changes (trusted=0), or
 *                          some do (trusted=1, the documented risk)
 *   leak none|some RUN     the app writes into received frames: the
 *                          backend finds none of it in reposted pages
 *                          (trusted=0), or finds some (trusted=1)
 *   stop-bound MS          a backend that never closes: dev_stop and
 *                          dev_close return within MS
 *   tx-done-cleanup        frames received in granted pages go out
 *                          again in place (trusted): tx_done_cleanup
 *                          then reclaims the answered requests
 *   lsc RUN                the backend's carrier key (written as dom0)
 *                          takes the link down and up, with LSC events
 *   lifecycle unplug|restart|replug|restore XENSIM RUN
 *                          xensim's control socket acts on the running
 *                          vif: unplug (xl network-detach) raises RMV and
 *                          completes without the toolstack's timeout;
 *                          restart (the backend driver) raises RESET, and
 *                          rte_eth_dev_reset() with a new configure and
 *                          start brings the echo back; replug is unplug
 *                          then plug, then that reset; restore (xl save
 *                          and restore) raises RESET alone, and the
 *                          reset never unbinds a port of the old domain
 *                          (Linux would BUG()); restored while stopped,
 *                          start refuses until a reset. Bursts return 0
 *                          while the backend is away; no grant is left
 *   rx-intr ROUNDS [TXQ]   RX interrupts: armed, an idle port does not
 *                          end rte_epoll_wait; each echoed frame does
 *                          (the wake-up times are printed, not judged);
 *                          with TXQ TX queues and one RX queue, frames go
 *                          out on each in turn and come back on every
 *                          pair's RX ring, each of which must wake it
 *   start-fail TEXT [TXQ [RXQ]]
 *                          dev_start fails and the log names TEXT (TXQ
 *                          TX queues, 1 by default, and as many RX)
 *   tx-pool [MBUFS TEXT]   frames built in a TX pool go out in place;
 *                          or making a pool of MBUFS fails naming TEXT
 *   grants-ports TEXT      two ports: the second's start fails naming
 *                          TEXT while the first runs, works after
 *   unequal RUN TXQ RXQ [TXQ2 RXQ2]
 *                          TXQ TX and RXQ RX queues: frames sent on every
 *                          TX queue come back (echo), or with a second
 *                          port of TXQ2/RXQ2 queues reach it and its reach
 *                          the first (peer vifs); all arrive intact, once;
 *                          every RX ring they were sent to carried some,
 *                          no idle TX ring sent any (status.json); again
 *                          after stop/start; no grant left (unequal.c)
 *   unequal-over RUN       more TX than RX queues still count against
 *                          the backend's multi-queue-max-queues; no RX
 *                          queue is refused
 *   probe-fail DEVARGS TEXT [KEY VALUE]
 *                          hot-plugging net_netfront with DEVARGS fails
 *                          and the log names TEXT; first xenstore KEY is
 *                          set to VALUE (removed if VALUE is empty)
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_devargs.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <xenstore.h>

#include "check.h"
#include "pmd_test.h"
#include "xensim_ctl.h"

#define BURST		32

struct rte_mempool *tx_pool;
uint16_t port;
static char vdev_name[64];
static char vdev_args[512];
static char *log_buf;
static size_t log_len;
static unsigned int lsc_events;

int failures;

/*
 * Jumbo frames come in chains of pages and go out in chains of mbufs. The
 * MTU is the vif's: with_xensim.sh makes it 9000.
 */
static const struct rte_eth_conf port_conf = {
	.rxmode.offloads = RTE_ETH_RX_OFFLOAD_SCATTER,
	.txmode.offloads = RTE_ETH_TX_OFFLOAD_MULTI_SEGS,
};

void
port_setup_queues(uint16_t ntx, uint16_t nrx, const struct rte_eth_conf *conf)
{
	uint16_t q;
	int rc;

	rc = rte_eth_dev_configure(port, nrx, ntx, conf);
	REQUIRE(rc == 0, "configure %u RX, %u TX queues: %s", nrx, ntx,
		rte_strerror(-rc));
	for (q = 0; q < RTE_MAX(nrx, ntx); q++) {
		rc = q < nrx ? rte_eth_rx_queue_setup(port, q, 0,
				SOCKET_ID_ANY, NULL, tx_pool) : 0;
		if (rc == 0 && q < ntx)
			rc = rte_eth_tx_queue_setup(port, q, 0, SOCKET_ID_ANY,
						    NULL);
		REQUIRE(rc == 0, "queue %u setup: %s", q, rte_strerror(-rc));
	}
}

void
port_setup_conf(uint16_t nq, const struct rte_eth_conf *conf)
{
	port_setup_queues(nq, nq, conf);
}

static void
port_setup(uint16_t nq)
{
	port_setup_conf(nq, &port_conf);
}

void
port_start(void)
{
	int rc = rte_eth_dev_start(port);

	REQUIRE(rc == 0, "start: %s", rte_strerror(-rc));
}

struct rte_mbuf *
mbuf_from(const uint8_t *f, uint32_t len)
{
	return mbuf_from_pool(tx_pool, f, len);
}

struct rte_mbuf *
mbuf_from_pool(struct rte_mempool *mp, const uint8_t *f, uint32_t len)
{
	struct rte_mbuf *head = NULL, *tail = NULL;
	uint32_t off = 0;

	while (off < len) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
		uint32_t n;

		REQUIRE(m != NULL, "out of mbufs");
		n = RTE_MIN(len - off, (uint32_t)rte_pktmbuf_tailroom(m));
		memcpy(rte_pktmbuf_append(m, n), f + off, n);
		if (head == NULL) {
			head = m;
		} else {
			tail->next = m;
			head->nb_segs++;
			head->pkt_len += n;
		}
		tail = m;
		off += n;
	}
	return head;
}

struct rte_mbuf *
make_frame_in(struct rte_mempool *mp, uint32_t seq, uint32_t len)
{
	uint8_t f[9100];
	uint32_t i;

	for (i = 0; i < len; i++)
		f[i] = (uint8_t)(seq * 7 + i * 13);
	/* Broadcast dst, a locally administered src. */
	memset(f, 0xff, 6);
	memcpy(f + 6, "\x02\0\0\0\0\x01", 6);
	f[12] = 0x88;
	f[13] = 0xb5;	/* local experimental ethertype */
	memcpy(f + 14, &seq, 4);
	return mbuf_from_pool(mp, f, len);
}

static struct rte_mbuf *
make_frame(uint32_t seq, uint32_t len)
{
	return make_frame_in(tx_pool, seq, len);
}

void
check_frame(struct rte_mbuf *m, uint32_t seq, uint32_t len)
{
	uint8_t buf[9100];
	const uint8_t *p;
	uint32_t i, got;

	REQUIRE(m->pkt_len == len, "frame %u: %u bytes back, %u sent", seq,
		m->pkt_len, len);
	p = rte_pktmbuf_read(m, 0, len, buf);
	memcpy(&got, p + 14, 4);
	CHECK(got == seq, "frame %u: got frame %u back", seq, got);
	for (i = 18; i < len && p[i] == (uint8_t)(seq * 7 + i * 13); i++)
		;
	CHECK(i == len, "frame %u (%u bytes): byte %u differs", seq, len, i);
}

struct rte_mbuf *
rx_one(uint16_t nq, uint64_t timeout_ms)
{
	uint64_t end = rte_get_timer_cycles() +
		       timeout_ms * rte_get_timer_hz() / 1000;
	struct rte_mbuf *m;
	uint16_t q;

	do {
		for (q = 0; q < nq; q++)
			if (rte_eth_rx_burst(port, q, &m, 1) == 1)
				return m;
		usleep(100);
	} while (rte_get_timer_cycles() < end);
	return NULL;
}

/* Send count frames of each size, one at a time, on queue q. */
static void
echo_sizes(uint16_t nq, unsigned int rounds)
{
	static const uint32_t sizes[] = {
		60, 61, 64, 100, 128, 500, 1000, 1514, 1515, 2047, 2048,
		2049, 3000, 3967, 3968, 3969, 4095, 4096, 4097, 6000, 8000,
		8191, 8192, 9000, 9014,
	};
	uint32_t seq = 0;
	unsigned int r, i;

	for (r = 0; r < rounds; r++)
		for (i = 0; i < RTE_DIM(sizes); i++, seq++) {
			struct rte_mbuf *m = make_frame(seq, sizes[i]);
			uint16_t q = seq % nq;

			REQUIRE(rte_eth_tx_burst(port, q, &m, 1) == 1,
				"tx of frame %u refused", seq);
			m = rx_one(nq, WAIT_MS);
			REQUIRE(m != NULL,
				"frame %u (%u bytes) did not come back", seq,
				sizes[i]);
			check_frame(m, seq, sizes[i]);
			rte_pktmbuf_free(m);
		}
}

/*
 * Many frames in flight at once: ids and blocks get reused under load.
 * No more than the echo path holds without loss (a backend drops what
 * its queue cannot take): RX rings of 128 frames when each takes an
 * extra-info slot, plus what waits in the backend.
 */
#define ECHO_WINDOW	256u

static void
echo_burst(uint16_t nq, uint32_t total)
{
	uint32_t sent = 0, recvd = 0;
	uint64_t end = rte_get_timer_cycles() + 20 * rte_get_timer_hz();
	uint16_t q;

	while (recvd < total) {
		struct rte_mbuf *pkts[BURST];
		uint16_t n, i;

		REQUIRE(rte_get_timer_cycles() <= end,
			"burst: %u of %u frames back", recvd, total);
		for (q = 0; q < nq && sent < total &&
			    sent - recvd < ECHO_WINDOW * nq; q++) {
			n = RTE_MIN((uint32_t)BURST, total - sent);
			for (i = 0; i < n; i++)
				pkts[i] = make_frame(sent + i,
						     60 + (sent + i) * 37 %
						     3000);
			i = rte_eth_tx_burst(port, q, pkts, n);
			sent += i;
			rte_pktmbuf_free_bulk(pkts + i, n - i);
		}
		for (q = 0; q < nq; q++) {
			n = rte_eth_rx_burst(port, q, pkts, BURST);
			for (i = 0; i < n; i++) {
				uint32_t seq;

				memcpy(&seq, rte_pktmbuf_mtod_offset(pkts[i],
					const uint8_t *, 14), 4);
				CHECK(seq < sent, "burst: unknown frame %u",
				      seq);
				if (seq < sent)
					check_frame(pkts[i], seq,
						    60 + seq * 37 % 3000);
			}
			rte_pktmbuf_free_bulk(pkts, n);
			recvd += n;
		}
	}
}

static void
check_stats(uint64_t min_packets)
{
	struct rte_eth_stats st;

	rte_eth_stats_get(port, &st);
	CHECK(st.opackets >= min_packets && st.ipackets >= min_packets &&
	      st.ierrors == 0 && st.oerrors == 0,
	      "stats: ipackets %" PRIu64 " opackets %" PRIu64 " ierrors %"
	      PRIu64 " oerrors %" PRIu64 " (want >= %" PRIu64
	      " and no errors)", st.ipackets, st.opackets, st.ierrors,
	      st.oerrors, min_packets);
}

/* The sum of the xstats whose names end in suffix (contain it, with
 * any); there must be one. */
static uint64_t
xstats_match(const char *suffix, bool any)
{
	int n = rte_eth_xstats_get_names(port, NULL, 0), i;
	struct rte_eth_xstat_name *names = calloc(n, sizeof(*names));
	struct rte_eth_xstat *xs = calloc(n, sizeof(*xs));
	size_t sl = strlen(suffix);
	uint64_t sum = 0;
	bool seen = false;

	REQUIRE(names != NULL && xs != NULL &&
		rte_eth_xstats_get_names(port, names, n) == n &&
		rte_eth_xstats_get(port, xs, n) == n, "xstats");
	for (i = 0; i < n; i++) {
		size_t l = strlen(names[i].name);

		if ((any && strstr(names[i].name, suffix) != NULL) ||
		    (l >= sl && strcmp(names[i].name + l - sl, suffix) == 0)) {
			sum += xs[i].value;
			seen = true;
		}
	}
	free(names);
	free(xs);
	REQUIRE(seen, "no xstat %s %s", any ? "with" : "ending in", suffix);
	return sum;
}

uint64_t
xstats_sum(const char *suffix)
{
	return xstats_match(suffix, false);
}

void
read_status(const char *run, char *buf, size_t len)
{
	char path[512];
	size_t n = 0;
	FILE *f;

	/* status.json is rewritten every --status-ms; wait for a fresh one. */
	usleep(300 * 1000);
	snprintf(path, sizeof(path), "%s/status.json", run);
	f = fopen(path, "r");
	if (f != NULL) {
		n = fread(buf, 1, len - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
}

/* The backend fingerprinted every TX block: none changed under it. */
static void
check_backend_verified(const char *run)
{
	static const char *const keys[] = {
		"\"violations\":", "\"v_changed\":", "\"v_id_reuse\":",
		"\"v_grant_ended\":",
	};
	char buf[16384];
	unsigned int i, seen = 0;

	read_status(run, buf, sizeof(buf));
	CHECK(strstr(buf, "\"verify\":true") != NULL,
	      "the backend does not verify: %s", buf);
	for (i = 0; i < RTE_DIM(keys); i++) {
		const char *p;

		for (p = strstr(buf, keys[i]); p != NULL;
		     p = strstr(p + 1, keys[i])) {
			CHECK(strtoull(p + strlen(keys[i]), NULL, 10) == 0,
			      "backend verification: %s", buf);
			seen++;
		}
	}
	CHECK(seen != 0, "no verification counters in %s", buf);
}

static void
mode_echo(int argc, char **argv)
{
	uint16_t nq = argc > 0 ? atoi(argv[0]) : 1;
	uint64_t kicks;

	port_setup(nq);
	port_start();
	echo_sizes(nq, 3);
	echo_burst(nq, 20000);
	check_stats(20000);
	kicks = xstats_sum("_notifies");
	printf("echo: %" PRIu64 " event channel kicks\n", kicks);
	if (argc > 1 && strcmp(argv[1], "-") != 0)
		CHECK(kicks <= strtoull(argv[1], NULL, 10),
		      "%" PRIu64 " event channel kicks, want <= %s", kicks,
		      argv[1]);
	if (argc > 2)
		check_backend_verified(argv[2]);
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
}

static char *
xs_get(struct xs_handle *xs, const char *fmt, ...)
{
	char path[256];
	unsigned int len;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	return xs_read(xs, XBT_NULL, path, &len);
}

static void
expect_key(struct xs_handle *xs, const char *want, const char *fmt, ...)
{
	char path[256], *v;
	unsigned int len;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	v = xs_read(xs, XBT_NULL, path, &len);
	if (want == NULL)
		CHECK(v == NULL, "%s is '%s', should be absent", path, v);
	else
		CHECK(v != NULL && (want[0] == '\0' || strcmp(v, want) == 0),
		      "%s is %s%s%s, want %s", path, v ? "'" : "",
		      v ? v : "absent", v ? "'" : "",
		      want[0] ? want : "present");
	free(v);
}

static void
check_connected(struct xs_handle *xs, uint16_t nq, bool split)
{
	char *be = xs_get(xs, "device/vif/0/backend");
	unsigned int q;

	REQUIRE(be != NULL, "device/vif/0/backend missing");
	expect_key(xs, "4", "device/vif/0/state");
	expect_key(xs, "4", "%s/state", be);
	expect_key(xs, "1", "device/vif/0/request-rx-copy");
	expect_key(xs, "1", "device/vif/0/feature-rx-notify");
	expect_key(xs, "1", "device/vif/0/feature-sg");
	/* Not asked for: LRO, checksums left blank, a multicast filter, a
	 * control ring. */
	expect_key(xs, NULL, "device/vif/0/feature-gso-tcpv4");
	expect_key(xs, NULL, "device/vif/0/feature-gso-tcpv6");
	expect_key(xs, "1", "device/vif/0/feature-no-csum-offload");
	expect_key(xs, NULL, "device/vif/0/request-multicast-control");
	expect_key(xs, NULL, "device/vif/0/ctrl-ring-ref");
	for (q = 0; q < nq; q++) {
		char dir[64];

		if (nq == 1)
			snprintf(dir, sizeof(dir), "device/vif/0");
		else
			snprintf(dir, sizeof(dir), "device/vif/0/queue-%u", q);
		expect_key(xs, "", "%s/tx-ring-ref", dir);
		expect_key(xs, "", "%s/rx-ring-ref", dir);
		expect_key(xs, split ? "" : NULL, "%s/event-channel-tx", dir);
		expect_key(xs, split ? "" : NULL, "%s/event-channel-rx", dir);
		expect_key(xs, split ? NULL : "", "%s/event-channel", dir);
	}
	if (nq > 1) {
		char n[8];

		snprintf(n, sizeof(n), "%u", nq);
		expect_key(xs, n, "device/vif/0/multi-queue-num-queues");
		expect_key(xs, NULL, "device/vif/0/tx-ring-ref");
	}
	free(be);
}

static void
check_closed(struct xs_handle *xs)
{
	char *be = xs_get(xs, "device/vif/0/backend");

	expect_key(xs, "6", "device/vif/0/state");
	expect_key(xs, "6", "%s/state", be);
	free(be);
}

/* status.json holds want, or the test fails saying what. */
void
check_status(const char *run, const char *want, const char *what)
{
	char buf[16384];

	read_status(run, buf, sizeof(buf));
	CHECK(strstr(buf, want) != NULL, "%s: %s", what, buf);
}

/* Closed: no grant of dom1 active and none of its ports open (a port
 * left bound is one the driver abandoned, as only after a restore). */
void
check_no_grants(const char *run)
{
	check_status(run, "\"domid\":1,\"ports_open\":0,\"grants_active\":0,",
		     "grants or ports of dom1 still held after close");
}

/*
 * After dev_stop every mbuf is back in the application's mempool and
 * every grant is revoked: rings, TX blocks and RX pages (status.json is
 * rewritten every 50 ms).
 */
void
check_stopped(const char *run)
{
	CHECK(rte_mempool_full(tx_pool),
	      "stopped port: %u mbufs not returned to the app's pool",
	      tx_pool->size - rte_mempool_avail_count(tx_pool));
	usleep(200 * 1000);
	check_no_grants(run);
}

static void
reprobe(void)
{
	int rc = rte_eal_hotplug_add("vdev", vdev_name, vdev_args);

	REQUIRE(rc == 0, "re-open %s: %s", vdev_name, rte_strerror(-rc));
	REQUIRE(rte_eth_dev_get_port_by_name(vdev_name, &port) == 0,
		"re-opened %s has no port", vdev_name);
}

/*
 * The bridge decides what reaches the vif: promiscuous and all-multicast
 * are on, as l2fwd and testpmd ask. Promiscuous cannot be turned off;
 * all-multicast can where the backend filters multicast (asked while
 * connected: the dynamic feature).
 */
static void
check_rx_modes(struct xs_handle *xs)
{
	char *be = xs_get(xs, "device/vif/0/backend");
	char *f = be != NULL ?
		xs_get(xs, "%s/feature-dynamic-multicast-control", be) : NULL;
	bool filter = f != NULL && strcmp(f, "1") == 0;

	free(f);
	free(be);
	CHECK(rte_eth_promiscuous_enable(port) == 0 &&
	      rte_eth_promiscuous_get(port) == 1, "promiscuous not on");
	CHECK(rte_eth_allmulticast_enable(port) == 0 &&
	      rte_eth_allmulticast_get(port) == 1, "all-multicast not on");
	CHECK(rte_eth_promiscuous_disable(port) == -ENOTSUP &&
	      rte_eth_promiscuous_get(port) == 1,
	      "promiscuous turned off, which the vif cannot do");
	if (!filter) {
		CHECK(rte_eth_allmulticast_disable(port) == -ENOTSUP &&
		      rte_eth_allmulticast_get(port) == 1,
		      "all-multicast turned off without a filter");
		return;
	}
	CHECK(rte_eth_allmulticast_disable(port) == 0 &&
	      rte_eth_allmulticast_get(port) == 0, "all-multicast still on");
	expect_key(xs, "1", "device/vif/0/request-multicast-control");
	CHECK(rte_eth_allmulticast_enable(port) == 0 &&
	      rte_eth_allmulticast_get(port) == 1, "all-multicast not on");
	expect_key(xs, "0", "device/vif/0/request-multicast-control");
}

static void
mode_handshake(int argc, char **argv)
{
	uint16_t nq;
	bool split;
	struct xs_handle *xs;

	REQUIRE(argc >= 3, "handshake QUEUES SPLIT RUN");
	nq = atoi(argv[0]);
	split = atoi(argv[1]);
	xs = xs_open(0);
	REQUIRE(xs != NULL, "xs_open (XENSTORED_PATH=%s)",
		getenv("XENSTORED_PATH"));

	port_setup(nq);
	port_start();
	check_connected(xs, nq, split);
	check_rx_modes(xs);
	echo_sizes(nq, 1);
	rte_eth_dev_stop(port);
	check_closed(xs);
	check_stopped(argv[2]);

	port_start();
	check_connected(xs, nq, split);
	echo_burst(nq, 2000);
	rte_eth_dev_stop(port);
	check_stopped(argv[2]);
	rte_eth_dev_close(port);
	rte_eal_hotplug_remove("vdev", vdev_name);
	check_closed(xs);
	check_no_grants(argv[2]);

	reprobe();
	port_setup(nq);
	port_start();
	check_connected(xs, nq, split);
	echo_sizes(nq, 1);
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
	rte_eal_hotplug_remove("vdev", vdev_name);
	check_closed(xs);
	check_no_grants(argv[2]);
	xs_close(xs);
}

static int
on_lsc(uint16_t port_id, enum rte_eth_event_type type, void *arg,
       void *ret)
{
	__atomic_fetch_add(&lsc_events, 1, __ATOMIC_RELAXED);
	return 0;
}

static int
link_status(void)
{
	struct rte_eth_link link;

	REQUIRE(rte_eth_link_get_nowait(port, &link) == 0, "link_get");
	return link.link_status;
}

/* Waits up to 2 s for the link state and at least events LSC events. */
static void
wait_link(int up, unsigned int events)
{
	uint64_t end = rte_get_timer_cycles() + 2 * rte_get_timer_hz();
	unsigned int got;
	int status;

	for (;;) {
		status = link_status();
		got = __atomic_load_n(&lsc_events, __ATOMIC_RELAXED);
		if ((status == up && got >= events) ||
		    rte_get_timer_cycles() >= end)
			break;
		usleep(10000);
	}
	REQUIRE(status == up && got >= events,
		"link not %s with %u LSC events (got %u)",
		up ? "up" : "down", events, got);
}

static void
lsc_register(void)
{
	int rc = rte_eth_dev_callback_register(port, RTE_ETH_EVENT_INTR_LSC,
					       on_lsc, NULL);

	REQUIRE(rc == 0, "LSC callback: %s", rte_strerror(-rc));
}

static void
mode_violation(int argc, char **argv)
{
	struct rte_eth_conf conf = port_conf;
	struct rte_mbuf *m;
	uint64_t end, value = 0;
	unsigned int events;
	uint16_t n;

	REQUIRE(argc >= 1, "violation XSTAT");
	conf.intr_conf.lsc = 1;
	lsc_register();
	port_setup_conf(1, &conf);
	port_start();
	/* The link comes up first: the violation's LSC event is the next. */
	wait_link(RTE_ETH_LINK_UP, 1);
	events = __atomic_load_n(&lsc_events, __ATOMIC_RELAXED);
	xstats_sum(argv[0]);
	end = rte_get_timer_cycles() + WAIT_MS * rte_get_timer_hz() / 1000;
	while (value == 0 && rte_get_timer_cycles() < end) {
		struct rte_mbuf *pkts[BURST];
		uint16_t k, sent, got;

		for (k = 0; k < 4; k++)
			pkts[k] = make_frame(k, 100 + k * 1000);
		sent = rte_eth_tx_burst(port, 0, pkts, 4);
		rte_pktmbuf_free_bulk(pkts + sent, 4 - sent);
		got = rte_eth_rx_burst(port, 0, pkts, BURST);
		rte_pktmbuf_free_bulk(pkts, got);
		usleep(1000);
		value = xstats_sum(argv[0]);
	}
	REQUIRE(value != 0, "xstats %s stayed 0", argv[0]);
	CHECK(link_status() == RTE_ETH_LINK_DOWN,
	      "link still up after a violation");
	m = make_frame(0, 64);
	n = rte_eth_tx_burst(port, 0, &m, 1);
	CHECK(n == 0, "tx still accepted after a violation");
	if (n == 0)
		rte_pktmbuf_free(m);
	n = rte_eth_rx_burst(port, 0, &m, 1);
	CHECK(n == 0, "rx still delivers after a violation");
	rte_pktmbuf_free_bulk(&m, n);
	wait_link(RTE_ETH_LINK_DOWN, events + 1);
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
	printf("violation: %s = %" PRIu64 ", %u LSC events, port stopped\n",
	       argv[0], value, __atomic_load_n(&lsc_events, __ATOMIC_RELAXED));
}

/* Echo traffic for ms: every frame back must be intact. Returns the
 * number of intact frames; stops early once the link is down. */
static uint64_t
echo_checked(uint64_t ms, uint32_t min_len)
{
	uint64_t end = rte_get_timer_cycles() + ms * rte_get_timer_hz() / 1000;
	uint32_t seq = 0;
	uint64_t good = 0;

	do {
		struct rte_mbuf *pkts[BURST];
		uint16_t k, n;

		for (k = 0; k < 8; k++, seq++)
			pkts[k] = make_frame(seq, min_len + seq * 37 % 3000);
		n = rte_eth_tx_burst(port, 0, pkts, 8);
		rte_pktmbuf_free_bulk(pkts + n, 8 - n);
		usleep(200);
		n = rte_eth_rx_burst(port, 0, pkts, BURST);
		for (k = 0; k < n; k++) {
			uint32_t s;

			memcpy(&s, rte_pktmbuf_mtod_offset(pkts[k],
				const uint8_t *, 14), 4);
			CHECK(s < seq, "frame of unknown seq %u delivered", s);
			if (s < seq) {
				check_frame(pkts[k], s,
					    min_len + s * 37 % 3000);
				good++;
			}
		}
		rte_pktmbuf_free_bulk(pkts, n);
	} while (link_status() == RTE_ETH_LINK_UP &&
		 rte_get_timer_cycles() < end);
	return good;
}

static void
mode_errors(int argc, char **argv)
{
	struct rte_eth_stats st;
	uint64_t good, viol;

	port_setup(1);
	port_start();
	good = echo_checked(2000, 60);
	rte_eth_stats_get(port, &st);
	viol = xstats_match("violation", true);
	CHECK(st.ierrors != 0 && good >= 100 && viol == 0,
	      "ierrors %" PRIu64 ", %" PRIu64 " good frames, %" PRIu64
	      " violations: want errors counted, traffic going on",
	      st.ierrors, good, viol);
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
	printf("errors: %" PRIu64 " counted, %" PRIu64 " good frames\n",
	       st.ierrors, good);
}

static void
mode_survive(int argc, char **argv)
{
	uint64_t good, viol;

	port_setup(1);
	port_start();
	good = echo_checked(2000, 60);
	viol = xstats_match("violation", true);
	CHECK(good != 0 || viol != 0,
	      "no frame came back and no violation was counted");
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
	printf("survive: %" PRIu64 " intact frames, %" PRIu64 " violations\n",
	       good, viol);
}

/* The number after "key": summed over status.json. */
uint64_t
status_sum(const char *run, const char *key)
{
	char buf[16384], pat[64];
	const char *p;
	uint64_t sum = 0;

	read_status(run, buf, sizeof(buf));
	snprintf(pat, sizeof(pat), "\"%s\":", key);
	for (p = strstr(buf, pat); p != NULL; p = strstr(p + 1, pat))
		sum += strtoull(p + strlen(pat), NULL, 10);
	return sum;
}

/* The reply of this process's telemetry to cmd, in buf. */
void
telemetry(const char *cmd, char *buf, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	ssize_t n;
	int fd;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/dpdk_telemetry.v2",
		 rte_eal_get_runtime_dir());
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	REQUIRE(fd >= 0 && connect(fd, (struct sockaddr *)&sa,
				   sizeof(sa)) == 0,
		"telemetry socket %s", sa.sun_path);
	/* It greets first. */
	n = read(fd, buf, len - 1);
	REQUIRE(n > 0, "telemetry greeting");
	REQUIRE(write(fd, cmd, strlen(cmd)) == (ssize_t)strlen(cmd),
		"telemetry %s", cmd);
	n = read(fd, buf, len - 1);
	REQUIRE(n > 0, "telemetry reply to %s", cmd);
	buf[n] = '\0';
	close(fd);
	printf("%s -> %s\n", cmd, buf);
}

/* The number after "key": in a telemetry reply, or -1. */
long long
reply_field(const char *buf, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(buf, pat);
	return p != NULL ? strtoll(p + strlen(pat), NULL, 10) : -1;
}

#define HELD	64

static bool
frame_intact(struct rte_mbuf *m)
{
	uint8_t buf[9100];
	const uint8_t *p = rte_pktmbuf_read(m, 0, m->pkt_len, buf);
	uint32_t seq, i;

	memcpy(&seq, p + 14, 4);
	for (i = 18; i < m->pkt_len; i++)
		if (p[i] != (uint8_t)(seq * 7 + i * 13))
			return false;
	return m->pkt_len == 100 + seq % 1400;
}

static void
mode_rewrite(int argc, char **argv)
{
	struct rte_mbuf *held[HELD];
	unsigned int n = 0, first = 0, changed = 0, i;
	uint64_t end, rewrites;
	bool want_changes;

	REQUIRE(argc >= 2, "rewrite stable|changes RUN");
	want_changes = strcmp(argv[0], "changes") == 0;
	port_setup(1);
	port_start();
	end = rte_get_timer_cycles() + WAIT_MS * rte_get_timer_hz() / 1000;
	for (i = 0; n < HELD && rte_get_timer_cycles() < end; i++) {
		struct rte_mbuf *m = make_frame(i, 100 + i % 1400);

		if (rte_eth_tx_burst(port, 0, &m, 1) != 1)
			rte_pktmbuf_free(m);
		m = rx_one(1, 100);
		if (m == NULL)
			continue;
		first += frame_intact(m);
		held[n++] = m;
	}
	/* Longer than the backend's delay: every rewrite has happened. */
	usleep(300 * 1000);
	for (i = 0; i < n; i++) {
		changed += !frame_intact(held[i]) ? 1 : 0;
		rte_pktmbuf_free(held[i]);
	}
	rewrites = status_sum(argv[1], "rx_page_rewrites");
	printf("rewrite: %u frames held, %u intact when received, %u changed "
	       "later, %" PRIu64 " pages rewritten by the backend\n", n,
	       first, changed, rewrites);
	CHECK(n == HELD && first >= n * 9 / 10 && rewrites != 0,
	      "too few frames held, intact or rewritten: the test proves "
	      "nothing");
	CHECK(want_changes ? changed != 0 : changed == 0,
	      "%u held frames changed, want %s", changed,
	      want_changes ? "some (zero copy)" : "none (copied out)");
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
}

static void
mode_leak(int argc, char **argv)
{
	uint64_t end, got = 0, leaks;
	bool want_leaks;
	uint32_t seq = 0;

	REQUIRE(argc >= 2, "leak none|some RUN");
	want_leaks = strcmp(argv[0], "some") == 0;
	port_setup(1);
	port_start();
	end = rte_get_timer_cycles() + 2 * rte_get_timer_hz();
	while (rte_get_timer_cycles() < end) {
		struct rte_mbuf *pkts[BURST];
		uint16_t k, n;

		for (k = 0; k < 8; k++, seq++)
			pkts[k] = make_frame(seq, 60 + seq * 37 % 1400);
		n = rte_eth_tx_burst(port, 0, pkts, 8);
		rte_pktmbuf_free_bulk(pkts + n, 8 - n);
		usleep(200);
		n = rte_eth_rx_burst(port, 0, pkts, BURST);
		/* As macswap: swap the MACs, and scribble on the rest. */
		for (k = 0; k < n; k++) {
			uint8_t *p = rte_pktmbuf_mtod(pkts[k], uint8_t *);
			uint8_t mac[6];

			memcpy(mac, p, 6);
			memcpy(p, p + 6, 6);
			memcpy(p + 6, mac, 6);
			memset(p + 18, 0x5c, rte_pktmbuf_data_len(pkts[k]) -
			       18);
		}
		rte_pktmbuf_free_bulk(pkts, n);
		got += n;
	}
	rte_eth_dev_stop(port);
	leaks = status_sum(argv[1], "rx_page_leaks");
	printf("leak: %" PRIu64 " frames written into, backend saw %" PRIu64
	       " leaks\n", got, leaks);
	CHECK(got >= 1000, "too few frames: the test proves nothing");
	CHECK(want_leaks ? leaks != 0 : leaks == 0,
	      "%" PRIu64 " leaks, want %s", leaks,
	      want_leaks ? "some (zero copy)" : "none (copied out)");
	rte_eth_dev_close(port);
}

static void
mode_stop_bound(int argc, char **argv)
{
	uint64_t bound_ms, t0, ms;

	REQUIRE(argc >= 1, "stop-bound MS");
	bound_ms = strtoull(argv[0], NULL, 10);
	port_setup(1);
	port_start();
	echo_sizes(1, 1);
	t0 = rte_get_timer_cycles();
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
	ms = (rte_get_timer_cycles() - t0) * 1000 / rte_get_timer_hz();
	CHECK(ms <= bound_ms, "stop and close took %" PRIu64 " ms, bound %"
	      PRIu64, ms, bound_ms);
	printf("stop-bound: stopped and closed in %" PRIu64 " ms\n", ms);
}

/*
 * Frames received on a trusted port lie in pages granted to the backend:
 * sent again, they go out in place, and their pages come back to the RX
 * pool only with the backend's responses, which tx_done_cleanup consumes.
 */
static void
mode_tx_done_cleanup(int argc, char **argv)
{
	struct rte_mbuf *pkts[BURST];
	uint64_t end, zc;
	uint16_t k, sent, n = 0;
	int rc;

	port_setup(1);
	port_start();
	for (k = 0; k < 8; k++)
		pkts[k] = make_frame(k, 100 + k * 100);
	sent = rte_eth_tx_burst(port, 0, pkts, 8);
	rte_pktmbuf_free_bulk(pkts + sent, 8 - sent);
	REQUIRE(sent == 8, "tx of 8 frames: %u accepted", sent);
	end = rte_get_timer_cycles() + WAIT_MS * rte_get_timer_hz() / 1000;
	while (n < sent && rte_get_timer_cycles() < end) {
		n += rte_eth_rx_burst(port, 0, pkts + n, BURST - n);
		usleep(100);
	}
	REQUIRE(n == sent, "%u of %u frames came back", n, sent);
	/* The copied frames' responses: leave only the in-place ones. */
	usleep(100 * 1000);
	rc = rte_eth_tx_done_cleanup(port, 0, 0);
	REQUIRE(rc >= 0, "tx_done_cleanup: %s", rte_strerror(-rc));
	zc = xstats_sum("tx_q0_zerocopy");
	sent = rte_eth_tx_burst(port, 0, pkts, n);
	rte_pktmbuf_free_bulk(pkts + sent, n - sent);
	REQUIRE(sent == n, "tx of %u received frames: %u accepted", n, sent);
	zc = xstats_sum("tx_q0_zerocopy") - zc;
	CHECK(zc == n, "%" PRIu64 " of %u received frames sent in place",
	      zc, n);
	usleep(100 * 1000);
	rc = rte_eth_tx_done_cleanup(port, 0, 0);
	REQUIRE(rc > 0, "tx_done_cleanup after %u frames sent in place "
		"returned %d%s%s, want > 0 responses consumed", n, rc,
		rc < 0 ? ": " : "", rc < 0 ? rte_strerror(-rc) : "");
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
	printf("tx-done-cleanup: %" PRIu64 " frames sent in place, %d "
	       "responses consumed\n", zc, rc);
}

static ssize_t
log_write(void *c, const char *buf, size_t size)
{
	char *nb = realloc(log_buf, log_len + size + 1);

	if (nb == NULL)
		return -1;
	memcpy(nb + log_len, buf, size);
	log_len += size;
	nb[log_len] = '\0';
	log_buf = nb;
	fwrite(buf, 1, size, stderr);
	return size;
}

FILE *
log_capture(void)
{
	cookie_io_functions_t io = { .write = log_write };
	FILE *f = fopencookie(NULL, "w", io);

	REQUIRE(f != NULL, "fopencookie");
	setvbuf(f, NULL, _IONBF, 0);
	rte_openlog_stream(f);
	return f;
}

void
log_expect(FILE *f, const char *text)
{
	rte_openlog_stream(NULL);
	fclose(f);
	CHECK(log_buf != NULL && strstr(log_buf, text) != NULL,
	      "the error does not mention '%s'", text);
	free(log_buf);
	log_buf = NULL;
	log_len = 0;
}

static void
mode_probe_fail(int argc, char **argv)
{
	FILE *f;
	int rc;

	REQUIRE(argc >= 2, "probe-fail DEVARGS TEXT [KEY VALUE]");
	if (argc >= 4) {
		struct xs_handle *xs;
		char dom0[512];
		bool ok;

		/* An absolute key is the toolstack's: write it as dom0. */
		if (argv[2][0] == '/') {
			snprintf(dom0, sizeof(dom0), "%s/dom0/xenstored",
				 getenv("XENSIM_RUN"));
			setenv("XENSTORED_PATH", dom0, 1);
		}
		xs = xs_open(0);
		REQUIRE(xs != NULL, "xs_open");
		ok = argv[3][0] == '\0' ?
			xs_rm(xs, XBT_NULL, argv[2]) :
			xs_write(xs, XBT_NULL, argv[2], argv[3],
				 strlen(argv[3]));
		REQUIRE(ok, "cannot change %s", argv[2]);
		xs_close(xs);
	}
	f = log_capture();
	rc = rte_eal_hotplug_add("vdev", "net_netfront9", argv[0]);
	CHECK(rc != 0, "net_netfront9,%s was accepted", argv[0]);
	log_expect(f, argv[1]);
	CHECK(rte_eth_dev_count_avail() == (vdev_name[0] ? 1 : 0),
	      "a port was left behind by the failed probe");
	printf("probe-fail: refused with a message naming '%s'\n", argv[1]);
}

static void
mode_lsc(int argc, char **argv)
{
	struct rte_eth_conf conf = port_conf;
	char path[512], *be;
	struct xs_handle *xs, *dom0;

	REQUIRE(argc >= 1, "lsc RUN");
	xs = xs_open(0);
	snprintf(path, sizeof(path), "%s/dom0/xenstored", argv[0]);
	setenv("XENSTORED_PATH", path, 1);
	dom0 = xs_open(0);
	REQUIRE(xs != NULL && dom0 != NULL, "xs_open");
	be = xs_get(xs, "device/vif/0/backend");
	REQUIRE(be != NULL, "no backend path");
	snprintf(path, sizeof(path), "%s/carrier", be);
	conf.intr_conf.lsc = 1;
	lsc_register();
	port_setup_conf(1, &conf);
	port_start();
	wait_link(1, 1);
	REQUIRE(xs_write(dom0, XBT_NULL, path, "0", 1),
		"cannot write %s as dom0", path);
	wait_link(0, 2);
	REQUIRE(xs_write(dom0, XBT_NULL, path, "1", 1),
		"cannot write %s as dom0", path);
	wait_link(1, 3);
	echo_burst(1, 1000);
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
	free(be);
	xs_close(dom0);
	xs_close(xs);
	printf("lsc: carrier down and up seen, %u events\n", lsc_events);
}

static unsigned int rmv_events, reset_events;

static int
on_lifecycle(uint16_t port_id, enum rte_eth_event_type type, void *arg,
	     void *ret)
{
	__atomic_fetch_add(type == RTE_ETH_EVENT_INTR_RMV ? &rmv_events :
			   &reset_events, 1, __ATOMIC_RELAXED);
	return 0;
}

/* Waits up to WAIT_MS for *events to reach n. */
static void
wait_events(const unsigned int *events, unsigned int n, const char *what)
{
	uint64_t end = rte_get_timer_cycles() +
		       WAIT_MS * rte_get_timer_hz() / 1000;

	while (__atomic_load_n(events, __ATOMIC_RELAXED) < n &&
	       rte_get_timer_cycles() < end)
		usleep(10000);
	REQUIRE(__atomic_load_n(events, __ATOMIC_RELAXED) >= n,
		"no %s event within %d ms", what, WAIT_MS);
}

/* While the backend is away, bursts take nothing and give nothing. */
static void
check_halted(void)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(tx_pool), *rx[BURST];

	REQUIRE(m != NULL, "mbuf");
	rte_pktmbuf_append(m, 60);
	CHECK(rte_eth_tx_burst(port, 0, &m, 1) == 0,
	      "TX took a frame while the backend is away");
	CHECK(rte_eth_rx_burst(port, 0, rx, BURST) == 0,
	      "RX gave frames while the backend is away");
	rte_pktmbuf_free(m);
}

static void
mode_lifecycle(int argc, char **argv)
{
	struct rte_eth_conf conf = port_conf;
	const char *op, *xensim, *run;
	bool unplug;

	REQUIRE(argc >= 3,
		"lifecycle unplug|restart|replug|restore XENSIM RUN");
	op = argv[0];
	xensim = argv[1];
	run = argv[2];
	unplug = strcmp(op, "unplug") == 0 || strcmp(op, "replug") == 0;
	conf.intr_conf.lsc = 1;
	conf.intr_conf.rmv = 1;
	lsc_register();
	REQUIRE(rte_eth_dev_callback_register(port, RTE_ETH_EVENT_INTR_RMV,
					      on_lifecycle, NULL) == 0 &&
		rte_eth_dev_callback_register(port, RTE_ETH_EVENT_INTR_RESET,
					      on_lifecycle, NULL) == 0,
		"event callbacks");
	port_setup_conf(1, &conf);
	port_start();
	wait_link(1, 1);
	echo_burst(1, 500);
	if (unplug) {
		/* Not forced: the driver closed as the backend asked. */
		xensim_ctl(xensim, run, "unplug 1/0", "the backend closed in");
		wait_events(&rmv_events, 1, "RMV");
	} else if (strcmp(op, "restore") == 0) {
		xensim_ctl(xensim, run, "restore 1/0", "ok restored");
		wait_events(&reset_events, 1, "RESET");
		CHECK(rmv_events == 0, "RMV after a restore");
	} else {
		xensim_ctl(xensim, run, "restart 1/0", "ok restarted");
	}
	wait_link(0, 2);
	check_halted();
	if (strcmp(op, "unplug") == 0) {
		CHECK(reset_events == 0, "RESET after an unplug");
		rte_eth_dev_stop(port);
		rte_eth_dev_close(port);
		check_no_grants(run);
		printf("lifecycle: unplugged, RMV seen, port closed\n");
		return;
	}
	if (unplug)
		xensim_ctl(xensim, run, "plug 1/0", "ok plugged");
	wait_events(&reset_events, 1, "RESET");
	REQUIRE(rte_eth_dev_reset(port) == 0, "rte_eth_dev_reset");
	port_setup_conf(1, &conf);
	port_start();
	wait_link(1, 3);
	/* The new connection's two ports, none of the old one's left bound
	 * (abandoned as after a restore, or leaked). */
	check_status(run, "\"domid\":1,\"ports_open\":2,",
		     "dom1 holds other ports than its new connection's");
	echo_sizes(1, 1);
	echo_burst(1, 500);
	if (strcmp(op, "restore") == 0) {
		/* Restored while stopped: start refuses until a reset. */
		rte_eth_dev_stop(port);
		xensim_ctl(xensim, run, "restore 1/0", "ok restored");
		CHECK(rte_eth_dev_start(port) == -ENODEV,
		      "a stopped port started on a restored domain's keys");
		REQUIRE(rte_eth_dev_reset(port) == 0, "rte_eth_dev_reset");
		port_setup_conf(1, &conf);
		port_start();
		wait_link(1, 4);
		echo_burst(1, 500);
	}
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
	check_no_grants(run);
	check_status(run, "\"stale_evtchn_closes\":0",
		     "a port of the old domain unbound");
	printf("lifecycle: %s, %u RMV and %u RESET events, echo again\n",
	       op, rmv_events, reset_events);
}

/* Arm queue 0's interrupt, taking what came before it was armed. */
static void
rx_intr_arm(void)
{
	struct rte_mbuf *m;
	int rc;

	while ((rc = rte_eth_dev_rx_intr_enable(port, 0)) == -EAGAIN)
		while (rte_eth_rx_burst(port, 0, &m, 1) == 1)
			rte_pktmbuf_free(m);
	REQUIRE(rc == 0, "rx_intr_enable: %s", rte_strerror(-rc));
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void
mode_rx_intr(int argc, char **argv)
{
	struct rte_eth_conf conf = port_conf;
	struct rte_epoll_event ev;
	uint64_t us[1000], t0;
	unsigned int rounds, i;
	uint16_t ntx;
	struct rte_mbuf *m;
	int n;

	REQUIRE(argc >= 1, "rx-intr ROUNDS [TXQ]");
	rounds = RTE_MIN((unsigned int)atoi(argv[0]), RTE_DIM(us));
	REQUIRE(rounds > 0, "rx-intr ROUNDS: 1..%zu", RTE_DIM(us));
	ntx = argc > 1 ? atoi(argv[1]) : 1;
	conf.intr_conf.rxq = 1;
	port_setup_queues(ntx, 1, &conf);
	port_start();
	wait_link(1, 0);
	REQUIRE(rte_eth_dev_rx_intr_ctl_q(port, 0, RTE_EPOLL_PER_THREAD,
					  RTE_INTR_EVENT_ADD, NULL) == 0,
		"rx_intr_ctl_q");
	rx_intr_arm();
	CHECK(rte_epoll_wait(RTE_EPOLL_PER_THREAD, &ev, 1, 300) == 0,
	      "an idle armed queue woke the wait");
	for (i = 0; i < rounds; i++) {
		rx_intr_arm();
		m = make_frame(i, 60);
		t0 = rte_get_timer_cycles();
		REQUIRE(rte_eth_tx_burst(port, i % ntx, &m, 1) == 1, "tx");
		n = rte_epoll_wait(RTE_EPOLL_PER_THREAD, &ev, 1, WAIT_MS);
		us[i] = (rte_get_timer_cycles() - t0) * 1000000 /
			rte_get_timer_hz();
		REQUIRE(n == 1, "round %u: no wake-up within %d ms", i,
			WAIT_MS);
		rte_eth_dev_rx_intr_disable(port, 0);
		m = rx_one(1, WAIT_MS);
		REQUIRE(m != NULL, "round %u: woken, but no frame", i);
		check_frame(m, i, 60);
		rte_pktmbuf_free(m);
	}
	qsort(us, rounds, sizeof(us[0]), cmp_u64);
	printf("rx-intr: %u wake-ups, echo to wake-up median %" PRIu64
	       " us, 90%% %" PRIu64 " us, max %" PRIu64 " us\n", rounds,
	       us[rounds / 2], us[rounds * 9 / 10], us[rounds - 1]);
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
}

static void
mode_start_fail(int argc, char **argv)
{
	uint16_t ntx = argc > 1 ? atoi(argv[1]) : 1;
	FILE *f;

	REQUIRE(argc >= 1, "start-fail TEXT [TXQ [RXQ]]");
	port_setup_queues(ntx, argc > 2 ? atoi(argv[2]) : ntx, &port_conf);
	f = log_capture();
	CHECK(rte_eth_dev_start(port) != 0, "start succeeded");
	log_expect(f, argv[0]);
	rte_eth_dev_close(port);
	printf("start-fail: refused with a message naming '%s'\n", argv[0]);
}

/*
 * gntalloc's limit is the whole guest's: with the first port started, the
 * second counts the grants the first holds and is refused naming the
 * limit both need (TEXT); once the first has stopped, the second starts.
 */
static void
mode_grants_ports(int argc, char **argv)
{
	uint16_t first = port, second = rte_eth_find_next(port + 1);
	FILE *f;

	REQUIRE(argc >= 1, "grants-ports TEXT");
	REQUIRE(second < RTE_MAX_ETHPORTS, "give two net_netfront ports");
	port_setup(1);
	port_start();
	port = second;
	port_setup(1);
	f = log_capture();
	CHECK(rte_eth_dev_start(second) != 0, "the second port started");
	log_expect(f, argv[0]);
	REQUIRE(rte_eth_dev_stop(first) == 0, "cannot stop the first port");
	port_start();
	REQUIRE(rte_eth_dev_stop(second) == 0, "cannot stop the second port");
	rte_eth_dev_close(second);
	rte_eth_dev_close(first);
	port = first;
	printf("grants-ports: the second port refused with a message naming "
	       "'%s', started once the first stopped\n", argv[0]);
}

static const struct {
	const char *name;
	void (*run)(int argc, char **argv);
	bool port;	/* needs the --vdev port */
} modes[] = {
	{ "echo", mode_echo, true },
	{ "handshake", mode_handshake, true },
	{ "violation", mode_violation, true },
	{ "errors", mode_errors, true },
	{ "survive", mode_survive, true },
	{ "rewrite", mode_rewrite, true },
	{ "leak", mode_leak, true },
	{ "stop-bound", mode_stop_bound, true },
	{ "tx-done-cleanup", mode_tx_done_cleanup, true },
	{ "lsc", mode_lsc, true },
	{ "lifecycle", mode_lifecycle, true },
	{ "rx-intr", mode_rx_intr, true },
	{ "start-fail", mode_start_fail, true },
	{ "grants-ports", mode_grants_ports, true },
	{ "csum", mode_csum, true },
	{ "tso", mode_tso, true },
	{ "mtu", mode_mtu, true },
	{ "mcast", mode_mcast, true },
	{ "tx-pool", mode_tx_pool, true },
	{ "info", mode_info, true },
	{ "unequal", mode_unequal, true },
	{ "unequal-over", mode_unequal_over, true },
	{ "probe-fail", mode_probe_fail, false },
};

int
main(int argc, char **argv)
{
	unsigned int i;
	int n;

	n = rte_eal_init(argc, argv);
	REQUIRE(n >= 0, "EAL init: %s", rte_strerror(rte_errno));
	argc -= n + 1;
	argv += n + 1;
	REQUIRE(argc >= 1, "no mode given");
	tx_pool = rte_pktmbuf_pool_create("test_tx", 16383, 256, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE,
					  SOCKET_ID_ANY);
	REQUIRE(tx_pool != NULL, "mbuf pool: %s", rte_strerror(rte_errno));
	RTE_ETH_FOREACH_DEV(port) {
		struct rte_eth_dev_info info;
		const struct rte_devargs *da;

		REQUIRE(rte_eth_dev_info_get(port, &info) == 0, "dev_info");
		da = rte_dev_devargs(info.device);
		snprintf(vdev_name, sizeof(vdev_name), "%s",
			 rte_dev_name(info.device));
		snprintf(vdev_args, sizeof(vdev_args), "%s",
			 da != NULL && da->args != NULL ? da->args : "");
		break;
	}
	for (i = 0; i < RTE_DIM(modes); i++)
		if (strcmp(argv[0], modes[i].name) == 0)
			break;
	REQUIRE(i < RTE_DIM(modes), "unknown mode %s", argv[0]);
	REQUIRE(!modes[i].port || vdev_name[0] != '\0',
		"no net_netfront port (give --vdev)");
	modes[i].run(argc - 1, argv + 1);
	printf("%s: %s\n", argv[0], failures != 0 ? "FAILED" : "ok");
	return failures != 0;
}
