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
 *                          xenstore keys, stop/start, close/re-open,
 *                          every grant revoked (RUN/status.json)
 *   violation XSTAT        traffic makes the backend misbehave: the
 *                          xstats ending in XSTAT count it, the link goes
 *                          down, bursts stop
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
 *   lsc RUN                the backend's carrier key (written as dom0)
 *                          takes the link down and up, with LSC events
 *   start-fail TEXT        dev_start fails and the log names TEXT
 *   probe-fail DEVARGS TEXT [KEY VALUE]
 *                          hot-plugging net_netfront with DEVARGS fails
 *                          and the log names TEXT; first xenstore KEY is
 *                          set to VALUE (removed if VALUE is empty)
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_devargs.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <xenstore.h>

#define BURST		32
#define WAIT_MS		3000

static struct rte_mempool *tx_pool;
static uint16_t port;
static char vdev_name[64];
static char vdev_args[512];
static char *log_buf;
static size_t log_len;

static void __attribute__((noreturn, format(printf, 1, 2)))
fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "FAIL: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

/* Jumbo frames come in chains of pages and go out in chains of mbufs. */
static const struct rte_eth_conf port_conf = {
	.rxmode.offloads = RTE_ETH_RX_OFFLOAD_SCATTER,
	.txmode.offloads = RTE_ETH_TX_OFFLOAD_MULTI_SEGS,
};

static void
port_setup(uint16_t nq)
{
	struct rte_eth_conf conf = port_conf;
	uint16_t q;
	int rc;

	rc = rte_eth_dev_configure(port, nq, nq, &conf);
	if (rc != 0)
		fail("configure %u queues: %s", nq, rte_strerror(-rc));
	for (q = 0; q < nq; q++) {
		rc = rte_eth_rx_queue_setup(port, q, 0, SOCKET_ID_ANY, NULL,
					    tx_pool);
		if (rc == 0)
			rc = rte_eth_tx_queue_setup(port, q, 0, SOCKET_ID_ANY,
						    NULL);
		if (rc != 0)
			fail("queue %u setup: %s", q, rte_strerror(-rc));
	}
	rc = rte_eth_dev_set_mtu(port, 9000);
	if (rc != 0)
		fail("set mtu 9000: %s", rte_strerror(-rc));
}

static void
port_start(void)
{
	int rc = rte_eth_dev_start(port);

	if (rc != 0)
		fail("start: %s", rte_strerror(-rc));
}

/* A frame whose every byte is a function of (seq, offset). */
static struct rte_mbuf *
make_frame(uint32_t seq, uint32_t len)
{
	struct rte_mbuf *head = NULL, *tail = NULL;
	uint32_t off = 0;

	while (off < len) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(tx_pool);
		uint32_t n = RTE_MIN(len - off,
				     (uint32_t)rte_pktmbuf_tailroom(m));
		uint8_t *p = (uint8_t *)rte_pktmbuf_append(m, n);
		uint32_t i;

		for (i = 0; i < n; i++)
			p[i] = (uint8_t)(seq * 7 + (off + i) * 13);
		if (off == 0) {
			/* Broadcast dst, a locally administered src. */
			memset(p, 0xff, 6);
			memcpy(p + 6, "\x02\0\0\0\0\x01", 6);
			p[12] = 0x88;
			p[13] = 0xb5;	/* local experimental ethertype */
			memcpy(p + 14, &seq, 4);
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

static void
check_frame(struct rte_mbuf *m, uint32_t seq, uint32_t len)
{
	uint8_t buf[9100];
	const uint8_t *p;
	uint32_t i, got;

	if (m->pkt_len != len)
		fail("frame %u: %u bytes back, %u sent", seq, m->pkt_len, len);
	p = rte_pktmbuf_read(m, 0, len, buf);
	memcpy(&got, p + 14, 4);
	if (got != seq)
		fail("frame %u: got frame %u back", seq, got);
	for (i = 18; i < len; i++)
		if (p[i] != (uint8_t)(seq * 7 + i * 13))
			fail("frame %u (%u bytes): byte %u differs", seq, len,
			     i);
}

static struct rte_mbuf *
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

			if (rte_eth_tx_burst(port, q, &m, 1) != 1)
				fail("tx of frame %u refused", seq);
			m = rx_one(nq, WAIT_MS);
			if (m == NULL)
				fail("frame %u (%u bytes) did not come back",
				     seq, sizes[i]);
			check_frame(m, seq, sizes[i]);
			rte_pktmbuf_free(m);
		}
}

/* Many frames in flight at once: ids and blocks get reused under load. */
static void
echo_burst(uint16_t nq, uint32_t total)
{
	uint32_t sent = 0, recvd = 0;
	uint64_t end = rte_get_timer_cycles() + 20 * rte_get_timer_hz();
	uint16_t q;

	while (recvd < total) {
		struct rte_mbuf *pkts[BURST];
		uint16_t n, i;

		if (rte_get_timer_cycles() > end)
			fail("burst: %u of %u frames back", recvd, total);
		for (q = 0; q < nq && sent < total; q++) {
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
				if (seq >= sent)
					fail("burst: unknown frame %u", seq);
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
	if (st.opackets < min_packets || st.ipackets < min_packets ||
	    st.ierrors != 0 || st.oerrors != 0)
		fail("stats: ipackets %" PRIu64 " opackets %" PRIu64
		     " ierrors %" PRIu64 " oerrors %" PRIu64 " (want >= %"
		     PRIu64 " and no errors)", st.ipackets, st.opackets,
		     st.ierrors, st.oerrors, min_packets);
}

/* The sum of the xstats whose names end in suffix (contain it, with
 * any); fails if none does. */
static uint64_t
xstats_match(const char *suffix, bool any)
{
	int n = rte_eth_xstats_get_names(port, NULL, 0), i;
	struct rte_eth_xstat_name *names = calloc(n, sizeof(*names));
	struct rte_eth_xstat *xs = calloc(n, sizeof(*xs));
	size_t sl = strlen(suffix);
	uint64_t sum = 0;
	bool seen = false;

	if (names == NULL || xs == NULL ||
	    rte_eth_xstats_get_names(port, names, n) != n ||
	    rte_eth_xstats_get(port, xs, n) != n)
		fail("xstats");
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
	if (!seen)
		fail("no xstat %s %s", any ? "with" : "ending in", suffix);
	return sum;
}

static uint64_t
xstats_sum(const char *suffix)
{
	return xstats_match(suffix, false);
}

static void
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
	if (strstr(buf, "\"verify\":true") == NULL)
		fail("the backend does not verify: %s", buf);
	for (i = 0; i < RTE_DIM(keys); i++) {
		const char *p;

		for (p = strstr(buf, keys[i]); p != NULL;
		     p = strstr(p + 1, keys[i])) {
			if (strtoull(p + strlen(keys[i]), NULL, 10) != 0)
				fail("backend verification: %s", buf);
			seen++;
		}
	}
	if (seen == 0)
		fail("no verification counters in %s", buf);
}

static int
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
	if (argc > 1 && strcmp(argv[1], "-") != 0 &&
	    kicks > strtoull(argv[1], NULL, 10))
		fail("%" PRIu64 " event channel kicks, want <= %s", kicks,
		     argv[1]);
	if (argc > 2)
		check_backend_verified(argv[2]);
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
	printf("echo: ok\n");
	return 0;
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
	if (want == NULL && v != NULL)
		fail("%s is '%s', should be absent", path, v);
	if (want != NULL && (v == NULL || (want[0] != '\0' &&
					   strcmp(v, want) != 0)))
		fail("%s is %s%s%s, want %s", path, v ? "'" : "",
		     v ? v : "absent", v ? "'" : "",
		     want[0] ? want : "present");
	free(v);
}

static void
check_connected(struct xs_handle *xs, uint16_t nq, bool split)
{
	char *be = xs_get(xs, "device/vif/0/backend");
	unsigned int q;

	if (be == NULL)
		fail("device/vif/0/backend missing");
	expect_key(xs, "4", "device/vif/0/state");
	expect_key(xs, "4", "%s/state", be);
	expect_key(xs, "1", "device/vif/0/request-rx-copy");
	expect_key(xs, "1", "device/vif/0/feature-rx-notify");
	expect_key(xs, "1", "device/vif/0/feature-sg");
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

static void
check_no_grants(const char *run)
{
	char buf[16384];

	read_status(run, buf, sizeof(buf));
	if (strstr(buf, "\"domid\":1,\"grants_active\":0,") == NULL)
		fail("grants of dom1 still active after close: %s", buf);
}

/*
 * After dev_stop every mbuf is back in the application's mempool and
 * every grant is revoked: rings, TX blocks and RX pages (status.json is
 * rewritten every 50 ms).
 */
static void
check_stopped(const char *run)
{
	if (!rte_mempool_full(tx_pool))
		fail("stopped port: %u mbufs not returned to the app's pool",
		     tx_pool->size - rte_mempool_avail_count(tx_pool));
	usleep(200 * 1000);
	check_no_grants(run);
}

static void
reprobe(void)
{
	int rc = rte_eal_hotplug_add("vdev", vdev_name, vdev_args);

	if (rc != 0)
		fail("re-open %s: %s", vdev_name, rte_strerror(-rc));
	if (rte_eth_dev_get_port_by_name(vdev_name, &port) != 0)
		fail("re-opened %s has no port", vdev_name);
}

static int
mode_handshake(int argc, char **argv)
{
	uint16_t nq;
	bool split;
	struct xs_handle *xs;

	if (argc < 3)
		fail("handshake QUEUES SPLIT RUN");
	nq = atoi(argv[0]);
	split = atoi(argv[1]);
	xs = xs_open(0);
	if (xs == NULL)
		fail("xs_open (XENSTORED_PATH=%s)", getenv("XENSTORED_PATH"));

	port_setup(nq);
	port_start();
	check_connected(xs, nq, split);
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
	printf("handshake: ok\n");
	return 0;
}

static int
mode_violation(int argc, char **argv)
{
	struct rte_eth_link link;
	uint64_t end, value = 0;

	if (argc < 1)
		fail("violation XSTAT");
	port_setup(1);
	port_start();
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
	if (value == 0)
		fail("xstats %s stayed 0", argv[0]);
	rte_eth_link_get_nowait(port, &link);
	if (link.link_status != RTE_ETH_LINK_DOWN)
		fail("link still up after a violation");
	{
		struct rte_mbuf *m = make_frame(0, 64);

		if (rte_eth_tx_burst(port, 0, &m, 1) != 0)
			fail("tx still accepted after a violation");
		rte_pktmbuf_free(m);
		if (rte_eth_rx_burst(port, 0, &m, 1) != 0)
			fail("rx still delivers after a violation");
	}
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
	printf("violation: %s = %" PRIu64 ", port stopped: ok\n", argv[0],
	       value);
	return 0;
}

/* Echo traffic for ms: every frame back must be intact. Returns the
 * number of intact frames; stops early once the link is down. */
static uint64_t
echo_checked(uint64_t ms, uint32_t min_len)
{
	uint64_t end = rte_get_timer_cycles() + ms * rte_get_timer_hz() / 1000;
	uint32_t seq = 0;
	uint64_t good = 0;
	struct rte_eth_link link;

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
			if (s >= seq)
				fail("frame of unknown seq %u delivered", s);
			check_frame(pkts[k], s, min_len + s * 37 % 3000);
			good++;
		}
		rte_pktmbuf_free_bulk(pkts, n);
		rte_eth_link_get_nowait(port, &link);
	} while (link.link_status == RTE_ETH_LINK_UP &&
		 rte_get_timer_cycles() < end);
	return good;
}

static int
mode_errors(int argc, char **argv)
{
	struct rte_eth_stats st;
	uint64_t good, viol;

	port_setup(1);
	port_start();
	good = echo_checked(2000, 60);
	rte_eth_stats_get(port, &st);
	viol = xstats_match("violation", true);
	if (st.ierrors == 0 || good < 100 || viol != 0)
		fail("ierrors %" PRIu64 ", %" PRIu64 " good frames, %" PRIu64
		     " violations: want errors counted, traffic going on",
		     st.ierrors, good, viol);
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
	printf("errors: %" PRIu64 " counted, %" PRIu64 " good frames: ok\n",
	       st.ierrors, good);
	return 0;
}

static int
mode_survive(int argc, char **argv)
{
	uint64_t good, viol;

	port_setup(1);
	port_start();
	good = echo_checked(2000, 60);
	viol = xstats_match("violation", true);
	if (good == 0 && viol == 0)
		fail("no frame came back and no violation was counted");
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
	printf("survive: %" PRIu64 " intact frames, %" PRIu64 " violations: "
	       "ok\n", good, viol);
	return 0;
}

/* The number after "key": summed over status.json. */
static uint64_t
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

static int
mode_rewrite(int argc, char **argv)
{
	struct rte_mbuf *held[HELD];
	unsigned int n = 0, first = 0, changed = 0, i;
	uint64_t end, rewrites;
	bool want_changes;

	if (argc < 2)
		fail("rewrite stable|changes RUN");
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
	if (n < HELD || first < n * 9 / 10 || rewrites == 0)
		fail("too few frames held, intact or rewritten: the test "
		     "proves nothing");
	if (want_changes ? changed == 0 : changed != 0)
		fail("%u held frames changed, want %s", changed,
		     want_changes ? "some (zero copy)" : "none (copied out)");
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
	printf("rewrite: ok\n");
	return 0;
}

static int
mode_leak(int argc, char **argv)
{
	uint64_t end, got = 0, leaks;
	bool want_leaks;
	uint32_t seq = 0;

	if (argc < 2)
		fail("leak none|some RUN");
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
	if (got < 1000)
		fail("too few frames: the test proves nothing");
	if (want_leaks ? leaks == 0 : leaks != 0)
		fail("%" PRIu64 " leaks, want %s", leaks,
		     want_leaks ? "some (zero copy)" : "none (copied out)");
	rte_eth_dev_close(port);
	printf("leak: ok\n");
	return 0;
}

static int
mode_stop_bound(int argc, char **argv)
{
	uint64_t bound_ms, t0, ms;

	if (argc < 1)
		fail("stop-bound MS");
	bound_ms = strtoull(argv[0], NULL, 10);
	port_setup(1);
	port_start();
	echo_sizes(1, 1);
	t0 = rte_get_timer_cycles();
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
	ms = (rte_get_timer_cycles() - t0) * 1000 / rte_get_timer_hz();
	if (ms > bound_ms)
		fail("stop and close took %" PRIu64 " ms, bound %" PRIu64, ms,
		     bound_ms);
	printf("stop-bound: stopped and closed in %" PRIu64 " ms: ok\n", ms);
	return 0;
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

static FILE *
log_capture(void)
{
	cookie_io_functions_t io = { .write = log_write };
	FILE *f = fopencookie(NULL, "w", io);

	if (f == NULL)
		fail("fopencookie");
	setvbuf(f, NULL, _IONBF, 0);
	rte_openlog_stream(f);
	return f;
}

static void
log_expect(FILE *f, const char *text)
{
	rte_openlog_stream(NULL);
	fclose(f);
	if (log_buf == NULL || strstr(log_buf, text) == NULL)
		fail("the error does not mention '%s'", text);
	free(log_buf);
	log_buf = NULL;
	log_len = 0;
}

static int
mode_probe_fail(int argc, char **argv)
{
	FILE *f;
	int rc;

	if (argc < 2)
		fail("probe-fail DEVARGS TEXT [KEY VALUE]");
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

		if (xs == NULL)
			fail("xs_open");
		ok = argv[3][0] == '\0' ?
			xs_rm(xs, XBT_NULL, argv[2]) :
			xs_write(xs, XBT_NULL, argv[2], argv[3],
				 strlen(argv[3]));
		if (!ok)
			fail("cannot change %s", argv[2]);
		xs_close(xs);
	}
	f = log_capture();
	rc = rte_eal_hotplug_add("vdev", "net_netfront9", argv[0]);
	if (rc == 0)
		fail("net_netfront9,%s was accepted", argv[0]);
	log_expect(f, argv[1]);
	if (rte_eth_dev_count_avail() != (vdev_name[0] ? 1 : 0))
		fail("a port was left behind by the failed probe");
	printf("probe-fail: refused with a message naming '%s': ok\n",
	       argv[1]);
	return 0;
}

static unsigned int lsc_events;

static int
on_lsc(uint16_t port_id, enum rte_eth_event_type type, void *arg,
       void *ret)
{
	__atomic_fetch_add(&lsc_events, 1, __ATOMIC_RELAXED);
	return 0;
}

static void
wait_link(int up, unsigned int events)
{
	uint64_t end = rte_get_timer_cycles() + 2 * rte_get_timer_hz();
	struct rte_eth_link link;

	do {
		rte_eth_link_get_nowait(port, &link);
		if (link.link_status == up &&
		    __atomic_load_n(&lsc_events, __ATOMIC_RELAXED) >= events)
			return;
		usleep(10000);
	} while (rte_get_timer_cycles() < end);
	fail("link not %s with %u LSC events (got %u)", up ? "up" : "down",
	     events, lsc_events);
}

static int
mode_lsc(int argc, char **argv)
{
	struct rte_eth_conf conf = port_conf;
	char path[512], *be;
	struct xs_handle *xs, *dom0;

	if (argc < 1)
		fail("lsc RUN");
	xs = xs_open(0);
	snprintf(path, sizeof(path), "%s/dom0/xenstored", argv[0]);
	setenv("XENSTORED_PATH", path, 1);
	dom0 = xs_open(0);
	if (xs == NULL || dom0 == NULL)
		fail("xs_open");
	be = xs_get(xs, "device/vif/0/backend");
	if (be == NULL)
		fail("no backend path");
	snprintf(path, sizeof(path), "%s/carrier", be);
	conf.intr_conf.lsc = 1;
	rte_eth_dev_callback_register(port, RTE_ETH_EVENT_INTR_LSC, on_lsc,
				      NULL);
	if (rte_eth_dev_configure(port, 1, 1, &conf) != 0 ||
	    rte_eth_rx_queue_setup(port, 0, 0, SOCKET_ID_ANY, NULL,
				   tx_pool) != 0 ||
	    rte_eth_tx_queue_setup(port, 0, 0, SOCKET_ID_ANY, NULL) != 0 ||
	    rte_eth_dev_set_mtu(port, 9000) != 0)
		fail("port setup");
	port_start();
	wait_link(1, 1);
	if (!xs_write(dom0, XBT_NULL, path, "0", 1))
		fail("cannot write %s as dom0", path);
	wait_link(0, 2);
	if (!xs_write(dom0, XBT_NULL, path, "1", 1))
		fail("cannot write %s as dom0", path);
	wait_link(1, 3);
	echo_burst(1, 1000);
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
	free(be);
	xs_close(dom0);
	xs_close(xs);
	printf("lsc: carrier down and up seen, %u events: ok\n",
	       lsc_events);
	return 0;
}

static int
mode_start_fail(int argc, char **argv)
{
	FILE *f;

	if (argc < 1)
		fail("start-fail TEXT");
	port_setup(1);
	f = log_capture();
	if (rte_eth_dev_start(port) == 0)
		fail("start succeeded");
	log_expect(f, argv[0]);
	rte_eth_dev_close(port);
	printf("start-fail: refused with a message naming '%s': ok\n",
	       argv[0]);
	return 0;
}

int
main(int argc, char **argv)
{
	int n;

	n = rte_eal_init(argc, argv);
	if (n < 0)
		fail("EAL init: %s", rte_strerror(rte_errno));
	argc -= n + 1;
	argv += n + 1;
	if (argc < 1)
		fail("no mode given");
	tx_pool = rte_pktmbuf_pool_create("test_tx", 16383, 256, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE,
					  SOCKET_ID_ANY);
	if (tx_pool == NULL)
		fail("mbuf pool: %s", rte_strerror(rte_errno));
	RTE_ETH_FOREACH_DEV(port) {
		struct rte_eth_dev_info info;
		const struct rte_devargs *da;

		rte_eth_dev_info_get(port, &info);
		da = rte_dev_devargs(info.device);
		snprintf(vdev_name, sizeof(vdev_name), "%s",
			 rte_dev_name(info.device));
		snprintf(vdev_args, sizeof(vdev_args), "%s",
			 da != NULL && da->args != NULL ? da->args : "");
		break;
	}
	if (strcmp(argv[0], "probe-fail") == 0)
		return mode_probe_fail(argc - 1, argv + 1);
	if (vdev_name[0] == '\0')
		fail("no net_netfront port (give --vdev)");
	if (strcmp(argv[0], "echo") == 0)
		return mode_echo(argc - 1, argv + 1);
	if (strcmp(argv[0], "handshake") == 0)
		return mode_handshake(argc - 1, argv + 1);
	if (strcmp(argv[0], "lsc") == 0)
		return mode_lsc(argc - 1, argv + 1);
	if (strcmp(argv[0], "start-fail") == 0)
		return mode_start_fail(argc - 1, argv + 1);
	if (strcmp(argv[0], "violation") == 0)
		return mode_violation(argc - 1, argv + 1);
	if (strcmp(argv[0], "errors") == 0)
		return mode_errors(argc - 1, argv + 1);
	if (strcmp(argv[0], "survive") == 0)
		return mode_survive(argc - 1, argv + 1);
	if (strcmp(argv[0], "rewrite") == 0)
		return mode_rewrite(argc - 1, argv + 1);
	if (strcmp(argv[0], "leak") == 0)
		return mode_leak(argc - 1, argv + 1);
	if (strcmp(argv[0], "stop-bound") == 0)
		return mode_stop_bound(argc - 1, argv + 1);
	fail("unknown mode %s", argv[0]);
}
