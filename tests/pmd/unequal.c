/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unequal RX and TX queue counts, as OVS-DPDK asks (a TX queue per thread
 * that sends, one RX queue): the vif connects as many queue pairs as the
 * larger count, and an RX queue polls the RX rings of the pairs past the
 * RX queues too. The backend steers frames to rings of its choosing:
 * echo to the ring of the TX queue they came on, a peer vif to that
 * ring's number modulo its own queues.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <xenstore.h>

#include "check.h"
#include "pmd_test.h"

/* Frames each port sends per round; in flight at most one window. */
#define FRAMES		3000u
#define WINDOW		128u
#define BURST		32
#define TX_PAGES	128u	/* a TX queue's blocks: two per page */

static const struct rte_eth_conf conf;

struct end {
	uint16_t port;
	uint16_t ntx, nrx;
	unsigned int vif;	/* device/vif/N */
	uint32_t base;		/* its frames' first sequence number */
	uint32_t sent;
	uint32_t recvd;		/* frames it took in */
	/* Where its frames go, whence its come: itself (echo) or the peer. */
	struct end *to;
	struct end *from;
};

static uint8_t seen[2 * FRAMES];

/* 60..1514 bytes: one RX slot each. */
static uint32_t
frame_len(uint32_t seq)
{
	return 60 + seq * 37 % 1455;
}

static void
send_some(struct end *e)
{
	struct rte_mbuf *pkts[BURST];
	uint32_t n, seq;
	uint16_t q, i;

	for (q = 0; q < e->ntx; q++) {
		n = RTE_MIN(FRAMES - e->sent,
			    WINDOW - (e->sent - e->to->recvd));
		n = RTE_MIN(n, (uint32_t)BURST);
		for (i = 0; i < n; i++) {
			seq = e->base + e->sent + i;
			pkts[i] = make_frame_in(tx_pool, seq, frame_len(seq));
		}
		i = rte_eth_tx_burst(e->port, q, pkts, n);
		e->sent += i;
		rte_pktmbuf_free_bulk(pkts + i, n - i);
	}
}

/* What reaches e is from e->from: each of its frames once, intact. */
static void
receive_some(struct end *e)
{
	struct rte_mbuf *pkts[BURST];
	uint16_t q, n, i;
	uint32_t seq;

	for (q = 0; q < e->nrx; q++) {
		n = rte_eth_rx_burst(e->port, q, pkts, BURST);
		for (i = 0; i < n; i++) {
			memcpy(&seq, rte_pktmbuf_mtod_offset(pkts[i],
				const uint8_t *, 14), 4);
			REQUIRE(seq >= e->from->base &&
				seq < e->from->base + e->from->sent &&
				!seen[seq], "port %u: frame %u unknown or "
				"twice", e->port, seq);
			seen[seq] = 1;
			check_frame(pkts[i], seq, frame_len(seq));
		}
		rte_pktmbuf_free_bulk(pkts, n);
		e->recvd += n;
	}
}

/* Every port sends FRAMES; a lost frame shows as a timeout. */
static void
traffic(struct end *e, unsigned int n)
{
	uint64_t end = rte_get_timer_cycles() + 20 * rte_get_timer_hz();
	unsigned int i, done;

	memset(seen, 0, sizeof(seen));
	for (i = 0; i < n; i++)
		e[i].sent = e[i].recvd = 0;
	do {
		for (i = 0, done = 0; i < n; i++) {
			REQUIRE(rte_get_timer_cycles() <= end, "port %u took "
				"in %u of %u frames", e[i].port, e[i].recvd,
				FRAMES);
			send_some(&e[i]);
			receive_some(&e[i]);
			done += e[i].recvd == FRAMES;
		}
	} while (done < n);
}

/* Queue q's number after "key" in vif 1/vif's entry of status.json. */
static uint64_t
ring_stat(const char *status, unsigned int vif, unsigned int q,
	  const char *key)
{
	char pat[64];
	const char *p;
	unsigned int i;

	snprintf(pat, sizeof(pat), "\"vif\":\"1/%u\"", vif);
	p = strstr(status, pat);
	p = p != NULL ? strstr(p, "\"queues\":[") : NULL;
	snprintf(pat, sizeof(pat), "\"%s\":", key);
	for (i = 0; p != NULL && i <= q; i++)
		p = strstr(p + 1, pat);
	REQUIRE(p != NULL, "no %s of vif 1/%u queue %u in %s", key, vif, q,
		status);
	return strtoull(p + strlen(pat), NULL, 10);
}

/*
 * After round rounds: the ports' counters hold every frame, an RX queue
 * that a TX queue of the sender maps to took some, and in the backend
 * every ring a frame was steered to carried some while the TX rings past
 * the TX queues stayed idle; nothing dropped.
 */
static void
check_rings(struct end *e, unsigned int n, const char *run, unsigned int rounds)
{
	char status[16384];
	struct rte_eth_stats st;
	unsigned int i, q, t, pairs;

	read_status(run, status, sizeof(status));
	for (i = 0; i < n; i++) {
		REQUIRE(rte_eth_stats_get(e[i].port, &st) == 0, "stats");
		CHECK(st.ipackets == rounds * FRAMES &&
		      st.opackets == rounds * FRAMES && st.ierrors == 0 &&
		      st.oerrors == 0 && st.rx_nombuf == 0,
		      "port %u: ipackets %" PRIu64 " opackets %" PRIu64
		      " ierrors %" PRIu64 " oerrors %" PRIu64 " nombuf %"
		      PRIu64 ", want %u each and no errors", e[i].port,
		      st.ipackets, st.opackets, st.ierrors, st.oerrors,
		      st.rx_nombuf, rounds * FRAMES);
		for (q = 0; e[i].from->ntx >= e[i].nrx && q < e[i].nrx; q++)
			CHECK(st.q_ipackets[q] > 0, "port %u: RX queue %u "
			      "took in nothing", e[i].port, q);
		pairs = RTE_MAX(e[i].ntx, e[i].nrx);
		for (q = 0; q < pairs; q++) {
			bool steered = false;

			for (t = 0; t < e[i].from->ntx; t++)
				steered |= (e[i].from == &e[i] ? t :
					    t % pairs) == q;
			CHECK(!steered ||
			      ring_stat(status, e[i].vif, q, "rx_pkts") > 0,
			      "vif 1/%u: RX ring %u carried nothing",
			      e[i].vif, q);
			CHECK((q < e[i].ntx) ==
			      (ring_stat(status, e[i].vif, q, "tx_pkts") > 0),
			      "vif 1/%u: TX ring %u %s", e[i].vif, q,
			      q < e[i].ntx ? "carried nothing" :
			      "sent on, past the TX queues");
			CHECK(ring_stat(status, e[i].vif, q, "rx_drops") == 0,
			      "vif 1/%u: ring %u dropped frames", e[i].vif, q);
		}
	}
}

/*
 * Each started port's grants, as its /netfront/info tells: two rings and
 * the RX pages per pair, TX blocks for the TX queues only (a TX ring past
 * them never sends); together all that xensim counts active for dom1.
 */
static void
check_grants(const struct end *e, unsigned int n, const char *run)
{
	char buf[4096], cmd[64];
	long long sum = 0, rx, grants, pairs;
	unsigned int i;

	for (i = 0; i < n; i++) {
		snprintf(cmd, sizeof(cmd), "/netfront/info,%u", e[i].port);
		telemetry(cmd, buf, sizeof(buf));
		rx = reply_field(buf, "rx_pages");
		grants = reply_field(buf, "grants");
		pairs = RTE_MAX(e[i].ntx, e[i].nrx);
		CHECK(rx > 0 && grants == pairs * (2 + rx) + e[i].ntx * TX_PAGES,
		      "port %u: %lld grants for %lld pairs of %lld RX pages "
		      "and %u TX queue(s)", e[i].port, grants, pairs, rx,
		      e[i].ntx);
		sum += grants;
	}
	CHECK(status_sum(run, "grants_active") == (uint64_t)sum,
	      "xensim counts %" PRIu64 " grants of dom1 active, the ports %lld",
	      status_sum(run, "grants_active"), sum);
}

static void
ports_do(struct end *e, unsigned int n, int (*op)(uint16_t))
{
	unsigned int i;

	for (i = 0; i < n; i++)
		REQUIRE(op(e[i].port) == 0, "port %u: operation failed",
			e[i].port);
}

void
mode_unequal(int argc, char **argv)
{
	struct end e[2] = { { .port = port } };
	unsigned int n = argc >= 5 ? 2 : 1, i;
	const char *run;

	REQUIRE(argc >= 3, "unequal RUN TXQ RXQ [TXQ2 RXQ2]");
	run = argv[0];
	for (i = 0; i < n; i++) {
		if (i > 0)
			e[i].port = rte_eth_find_next(e[i - 1].port + 1);
		REQUIRE(e[i].port < RTE_MAX_ETHPORTS, "give two ports");
		e[i].ntx = atoi(argv[1 + 2 * i]);
		e[i].nrx = atoi(argv[2 + 2 * i]);
		e[i].vif = i;
		e[i].base = i * FRAMES;
		e[i].to = &e[(i + 1) % n];
		e[(i + 1) % n].from = &e[i];
		port = e[i].port;
		port_setup_queues(e[i].ntx, e[i].nrx, &conf);
	}
	ports_do(e, n, rte_eth_dev_start);
	check_grants(e, n, run);
	traffic(e, n);
	check_rings(e, n, run, 1);
	ports_do(e, n, rte_eth_dev_stop);
	check_stopped(run);
	/* The driver's rings are made anew; their counts stayed. */
	ports_do(e, n, rte_eth_dev_start);
	traffic(e, n);
	check_rings(e, n, run, 2);
	ports_do(e, n, rte_eth_dev_stop);
	ports_do(e, n, rte_eth_dev_close);
	check_no_grants(run);
	port = e[0].port;
	printf("unequal: %u frames each way per round, every ring drained, "
	       "no grant left\n", FRAMES);
}

/*
 * Pairs, not RX queues, count against the backend's queues: ethdev
 * refuses more TX queues than the vif offers, and start refuses more
 * pairs than the backend offers now (it lowered its offer after
 * configure). A pair needs a queue of each kind: 0 RX queues is refused.
 */
void
mode_unequal_over(int argc, char **argv)
{
	char dom0[512], key[256], *be;
	struct xs_handle *xs;
	FILE *f;

	REQUIRE(argc >= 1, "unequal-over RUN");
	f = log_capture();
	CHECK(rte_eth_dev_configure(port, 1, 3, &conf) != 0,
	      "3 TX queues configured on a vif of 2");
	log_expect(f, "nb_tx_queues=3 > 2");
	f = log_capture();
	CHECK(rte_eth_dev_configure(port, 0, 1, &conf) != 0,
	      "a TX queue configured without an RX queue");
	log_expect(f, "at least one RX and one TX queue (0 RX, 1 TX)");
	port_setup_queues(2, 1, &conf);
	xs = xs_open(0);
	REQUIRE(xs != NULL, "xs_open");
	be = xs_read(xs, XBT_NULL, "device/vif/0/backend", NULL);
	REQUIRE(be != NULL, "no backend path");
	xs_close(xs);
	snprintf(dom0, sizeof(dom0), "%s/dom0/xenstored", argv[0]);
	setenv("XENSTORED_PATH", dom0, 1);
	xs = xs_open(0);
	REQUIRE(xs != NULL, "xs_open as dom0");
	snprintf(key, sizeof(key), "%s/multi-queue-max-queues", be);
	REQUIRE(xs_write(xs, XBT_NULL, key, "1", 1), "cannot write %s", key);
	f = log_capture();
	CHECK(rte_eth_dev_start(port) != 0, "2 pairs started on a backend "
	      "that offers 1");
	log_expect(f, "2 queue pairs configured, the backend offers 1");
	REQUIRE(xs_write(xs, XBT_NULL, key, "2", 1), "cannot write %s", key);
	port_start();
	REQUIRE(rte_eth_dev_stop(port) == 0, "stop");
	rte_eth_dev_close(port);
	check_no_grants(argv[0]);
	xs_close(xs);
	free(be);
	printf("unequal-over: 3 TX queues refused at configure, 2 pairs at "
	       "start while the backend offered 1\n");
}
