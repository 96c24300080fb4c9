/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Mode info RUN: what a DPDK tool reads of a port besides its traffic.
 * Queue info and burst modes; xstats once each (ethdev fills the queues'
 * packets and bytes, the driver adds the rest); /netfront/info over the
 * process's own telemetry socket, its grants against xensim's count.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pmd_test.h"

static unsigned int
xstat_count(const char *name)
{
	int i, n = rte_eth_xstats_get_names(port, NULL, 0);
	struct rte_eth_xstat_name *names = calloc(n, sizeof(*names));
	unsigned int seen = 0;

	REQUIRE(names != NULL &&
		rte_eth_xstats_get_names(port, names, n) == n, "xstat names");
	for (i = 0; i < n; i++)
		seen += strcmp(names[i].name, name) == 0;
	free(names);
	return seen;
}

void
mode_info(int argc, char **argv)
{
	static const struct rte_eth_conf conf = {
		.rxmode.offloads = RTE_ETH_RX_OFFLOAD_SCATTER,
	};
	struct rte_eth_burst_mode rx_mode, tx_mode;
	struct rte_eth_rxq_info rxi;
	struct rte_eth_txq_info txi;
	struct rte_eth_stats st;
	struct rte_mbuf *m;
	char buf[4096], cmd[64];
	long long grants;
	unsigned int i;
	uint16_t sent;

	REQUIRE(argc >= 1, "usage: info RUN");
	port_setup_conf(1, &conf);
	port_start();

	REQUIRE(rte_eth_rx_queue_info_get(port, 0, &rxi) == 0, "rxq info");
	CHECK(rxi.mp == tx_pool && rxi.nb_desc == 256 && rxi.scattered_rx,
	      "rxq info: mp %p (want %p), %u descriptors, scattered %u",
	      (void *)rxi.mp, (void *)tx_pool, rxi.nb_desc, rxi.scattered_rx);
	CHECK(rxi.conf.offloads & RTE_ETH_RX_OFFLOAD_SCATTER,
	      "rxq info lacks the port's offloads");
	REQUIRE(rte_eth_tx_queue_info_get(port, 0, &txi) == 0, "txq info");
	CHECK(txi.nb_desc == 256, "txq info: %u descriptors", txi.nb_desc);
	REQUIRE(rte_eth_rx_burst_mode_get(port, 0, &rx_mode) == 0 &&
		rte_eth_tx_burst_mode_get(port, 0, &tx_mode) == 0,
		"burst modes");
	printf("burst modes: rx '%s', tx '%s'\n", rx_mode.info, tx_mode.info);

	snprintf(cmd, sizeof(cmd), "/netfront/info,%u", port);
	telemetry(cmd, buf, sizeof(buf));
	CHECK(strstr(buf, "\"state\":\"Connected\"") != NULL &&
	      strstr(buf, "\"platform\":\"xensim\"") != NULL &&
	      reply_field(buf, "vif") == 0 && reply_field(buf, "queues") == 1 &&
	      reply_field(buf, "violations") == 0,
	      "/netfront/info: not vif 0 connected through xensim, 1 queue");
	/* The modes name how RX hands out the granted pages. */
	CHECK((strstr(rx_mode.info, "lent") != NULL) ==
	      (reply_field(buf, "trusted") == 1), "rx burst mode '%s' for %s",
	      rx_mode.info, buf);
	/* Every grant dom1 has made is the port's, and counted; limit 0:
	 * none known (xensim's default). */
	grants = reply_field(buf, "grants");
	CHECK(grants > 0 && (uint64_t)grants == status_sum(argv[0],
							   "grants_active") &&
	      reply_field(buf, "grants_process") == grants &&
	      (reply_field(buf, "grant_limit") == 0 ||
	       reply_field(buf, "grant_limit") >= grants),
	      "grants %lld, xensim counts %" PRIu64 " active", grants,
	      status_sum(argv[0], "grants_active"));
	telemetry("/netfront/info,9999", buf, sizeof(buf));
	CHECK(strstr(buf, "null") != NULL, "no port 9999, but %s", buf);

	/* Some frames through the echo vif, then the queue counters. */
	for (i = 0; i < 8; i++) {
		m = make_frame_in(tx_pool, i, 200);
		sent = rte_eth_tx_burst(port, 0, &m, 1);
		REQUIRE(sent == 1, "tx frame %u", i);
		m = rx_one(1, WAIT_MS);
		REQUIRE(m != NULL, "echo of frame %u", i);
		rte_pktmbuf_free(m);
	}
	REQUIRE(rte_eth_stats_get(port, &st) == 0, "stats");
	CHECK(xstat_count("rx_q0_packets") == 1 &&
	      xstat_count("tx_q0_bytes") == 1 &&
	      xstat_count("tx_q0_errors") == 1 &&
	      xstat_count("rx_q0_refill_short") == 1,
	      "each queue xstat once, ethdev's and the driver's");
	CHECK(xstats_sum("rx_q0_packets") == st.q_ipackets[0] &&
	      st.q_ipackets[0] == 8 && xstats_sum("tx_q0_packets") == 8,
	      "rx_q0_packets %" PRIu64 ", q_ipackets %" PRIu64,
	      xstats_sum("rx_q0_packets"), st.q_ipackets[0]);

	REQUIRE(rte_eth_dev_stop(port) == 0, "stop");
	telemetry(cmd, buf, sizeof(buf));
	CHECK(strstr(buf, "\"state\":\"Closed\"") != NULL &&
	      reply_field(buf, "grants") == 0 && reply_field(buf, "queues") == 0,
	      "/netfront/info after stop: %s", buf);
	rte_eth_dev_close(port);
}
