/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Zero-copy TX from a pool granted to the backend
 * (rte_pmd_netfront_tx_pool_create): frames built in its mbufs, one
 * buffer or chains of them, come back from the echo byte for byte and go
 * out in place; an mbuf is back in the pool only after the backend
 * answered (xensim holds every answer tx-delay-us), and the pool cannot
 * be freed while one is out. With trusted=0, or over gntalloc's limit,
 * creating the pool fails and the log says why; so does a pool more than
 * the driver keeps, and freeing a pool that is not one.
 */
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_mempool.h>

#include "check.h"
#include "pmd_test.h"
#include "rte_pmd_netfront.h"

#define POOL_MBUFS	256
/* The driver's NETFRONT_MAX_TXPOOLS. */
#define NETFRONT_TEST_MAX_TXPOOLS	16

static const uint32_t sizes[] = { 60, 1000, 1514, 1920, 1921, 3000, 5000 };

/* Buffers out of mp's hands: held by us or by the TX ring. */
static unsigned int
pool_out(const struct rte_mempool *mp)
{
	return mp->size - rte_mempool_avail_count(mp);
}

/* Reclaim TX until the pool has every mbuf back, or timeout_ms pass. */
static bool
pool_refilled(const struct rte_mempool *mp, uint64_t timeout_ms)
{
	uint64_t end = rte_get_timer_cycles() +
		       timeout_ms * rte_get_timer_hz() / 1000;

	do {
		rte_eth_tx_done_cleanup(port, 0, 0);
		if (pool_out(mp) == 0)
			return true;
		rte_delay_ms(1);
	} while (rte_get_timer_cycles() < end);
	return false;
}

/* As many small pools as the driver keeps; one more is refused. */
static void
tx_pool_slots(void)
{
	struct rte_mempool *mp[NETFRONT_TEST_MAX_TXPOOLS + 1];
	char name[RTE_MEMPOOL_NAMESIZE];
	unsigned int i, n;
	FILE *f = NULL;

	for (n = 0; n <= NETFRONT_TEST_MAX_TXPOOLS; n++) {
		snprintf(name, sizeof(name), "nf_slot%u", n);
		if (n == NETFRONT_TEST_MAX_TXPOOLS)
			f = log_capture();
		mp[n] = rte_pmd_netfront_tx_pool_create(port, name, 2, 0, 0,
							SOCKET_ID_ANY);
		if (mp[n] == NULL)
			break;
	}
	CHECK(n == NETFRONT_TEST_MAX_TXPOOLS, "%u pools made, not %u", n,
	      NETFRONT_TEST_MAX_TXPOOLS);
	if (f != NULL)
		log_expect(f, "pools exist already");
	for (i = 0; i < n; i++)
		CHECK(rte_pmd_netfront_tx_pool_free(mp[i]) == 0,
		      "pool %u not freed", i);
	CHECK(rte_pmd_netfront_tx_pool_free(tx_pool) == -EINVAL,
	      "an ordinary pool was taken for a TX pool");
}

/* A pool of n mbufs cannot be made, and the log says text. */
static void
tx_pool_refused(unsigned int n, const char *text)
{
	struct rte_mempool *mp;
	FILE *f = log_capture();

	mp = rte_pmd_netfront_tx_pool_create(port, "nf_txpool", n, 0, 0,
					     SOCKET_ID_ANY);
	CHECK(mp == NULL, "the pool was created");
	log_expect(f, text);
	rte_eth_dev_close(port);
	printf("tx-pool: %u mbufs refused, the log names '%s'\n", n, text);
}

void
mode_tx_pool(int argc, char **argv)
{
	const struct rte_eth_conf conf = {
		.rxmode.offloads = RTE_ETH_RX_OFFLOAD_SCATTER,
		.txmode.offloads = RTE_ETH_TX_OFFLOAD_MULTI_SEGS,
	};
	unsigned int i, segs = 0, out;
	struct rte_mbuf *m;
	struct rte_mempool *mp;
	uint64_t zc;

	if (argc >= 2) {
		tx_pool_refused(atoi(argv[0]), argv[1]);
		return;
	}
	tx_pool_slots();
	mp = rte_pmd_netfront_tx_pool_create(port, "nf_txpool", POOL_MBUFS,
					     0, 0, SOCKET_ID_ANY);
	REQUIRE(mp != NULL, "tx pool: %s", rte_strerror(rte_errno));
	port_setup_conf(1, &conf);
	port_start();
	zc = xstats_sum("tx_q0_zerocopy");
	for (i = 0; i < RTE_DIM(sizes); i++) {
		m = make_frame_in(mp, i, sizes[i]);
		segs += m->nb_segs;
		REQUIRE(rte_eth_tx_burst(port, 0, &m, 1) == 1,
			"tx of %u bytes refused", sizes[i]);
	}
	/* The backend holds every answer: nothing may be back yet. */
	out = pool_out(mp);
	CHECK(out == segs, "%u buffers out before any answer, %u sent", out,
	      segs);
	CHECK(rte_pmd_netfront_tx_pool_free(mp) == -EBUSY,
	      "the pool was freed with buffers in flight");
	for (i = 0; i < RTE_DIM(sizes); i++) {
		m = rx_one(1, WAIT_MS);
		REQUIRE(m != NULL, "frame %u (%u bytes) did not come back", i,
			sizes[i]);
		check_frame(m, i, sizes[i]);
		rte_pktmbuf_free(m);
	}
	CHECK(xstats_sum("tx_q0_zerocopy") - zc == RTE_DIM(sizes),
	      "%" PRIu64 " frames sent in place, not %zu",
	      xstats_sum("tx_q0_zerocopy") - zc, RTE_DIM(sizes));
	CHECK(pool_refilled(mp, WAIT_MS), "%u buffers never came back",
	      pool_out(mp));
	REQUIRE(rte_eth_dev_stop(port) == 0, "stop");
	rte_eth_dev_close(port);
	CHECK(rte_pmd_netfront_tx_pool_free(mp) == 0, "pool not freed");
	printf("tx-pool: %zu frames (%u buffers) sent in place and echoed, "
	       "each buffer back only after its answer\n", RTE_DIM(sizes),
	       segs);
}
