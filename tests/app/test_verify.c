/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit test of the verify frame format, generator and checker. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_mbuf.h>

#include "check.h"
#include "gen.h"
#include "verify.h"

#define SEG_ROOM	512	/* small, so big frames become chains */

int failures;

static struct rte_mempool *mp;
static struct verify_tpl tpl;

static void
gen_setup(struct gen *g, uint32_t min, uint32_t max, uint16_t port,
	  uint16_t queue)
{
	struct app_config cfg = {
		.size_mode = min == max ? SIZE_FIXED : SIZE_CYCLE,
		.pkt_min = min,
		.pkt_max = max,
	};
	struct rte_ether_addr a = { { 2, 0, 0, 0, 0, 1 } };

	if (gen_init(g, &tpl, mp, &cfg, &a, &a,
		     verify_flow_id(port, queue)) != 0) {
		fprintf(stderr, "gen_init failed\n");
		exit(1);
	}
}

static struct rte_mbuf *
frame(struct gen *g, uint64_t seq)
{
	struct rte_mbuf *m;

	g->seq = seq;
	if (gen_burst(g, &m, 1) != 1) {
		fprintf(stderr, "out of mbufs\n");
		exit(1);
	}
	return m;
}

static enum verify_result
check_seq(struct verify_rx *rx, struct gen *g, uint64_t seq)
{
	struct rte_mbuf *m = frame(g, seq);
	enum verify_result r = verify_check(rx, m);

	rte_pktmbuf_free(m);
	return r;
}

static uint8_t *
byte_at(struct rte_mbuf *m, uint32_t off)
{
	for (; m != NULL; m = m->next) {
		if (off < m->data_len)
			return rte_pktmbuf_mtod_offset(m, uint8_t *, off);
		off -= m->data_len;
	}
	return NULL;
}

/* Flip one byte at off: the frame must then be corrupt. */
static enum verify_result
check_flipped(struct verify_rx *rx, struct gen *g, uint64_t seq,
	      uint32_t off)
{
	struct rte_mbuf *m = frame(g, seq);
	enum verify_result r;

	*byte_at(m, off) ^= 0x40;
	r = verify_check(rx, m);
	rte_pktmbuf_free(m);
	return r;
}

static void
test_good_and_chains(void)
{
	struct verify_rx rx;
	struct gen g;
	uint32_t len;
	int bad = 0, chains = 0;

	CHECK(verify_rx_init(&rx, 2, 2) == 0);
	/* every length 60..3000: chains of up to 6 segments, trailers split
	 * across the last two
	 */
	gen_setup(&g, 60, 3000, 1, 1);
	for (len = 60; len <= 3000; len++) {
		struct rte_mbuf *m = frame(&g, len);

		chains += m->nb_segs > 1;
		bad += rte_pktmbuf_pkt_len(m) != len ||
		       verify_check(&rx, m) != VERIFY_GOOD;
		rte_pktmbuf_free(m);
	}
	CHECK(bad == 0);
	CHECK(chains > 0);
	CHECK(rx.cnt.good == 3000 - 60 + 1);
	CHECK(verify_flow_good(&rx, 1, 1) == 3000 - 60 + 1);
	CHECK(verify_flow_good(&rx, 0, 0) == 0);
	verify_rx_free(&rx);
}

static void
test_corrupt(void)
{
	struct verify_rx rx;
	struct rte_mbuf *m;
	struct gen g;

	CHECK(verify_rx_init(&rx, 1, 1) == 0);
	gen_setup(&g, 1500, 1500, 0, 0);
	CHECK(check_flipped(&rx, &g, 1, 700) == VERIFY_CORRUPT);
	CHECK(check_flipped(&rx, &g, 2, 513) == VERIFY_CORRUPT);
	CHECK(check_flipped(&rx, &g, 3, VERIFY_HDR_OFF + 8) == VERIFY_CORRUPT);
	CHECK(check_flipped(&rx, &g, 4, 1500 - 1) == VERIFY_CORRUPT);
	/* a wrong length */
	m = frame(&g, 5);
	rte_pktmbuf_trim(m, 1);
	CHECK(verify_check(&rx, m) == VERIFY_CORRUPT);
	rte_pktmbuf_free(m);
	/* the MACs are not covered: a swap by an echo or macswap is fine */
	CHECK(check_flipped(&rx, &g, 6, 3) == VERIFY_GOOD);
	/* not a verify frame at all */
	CHECK(check_flipped(&rx, &g, 7, 12) == VERIFY_OTHER);
	CHECK(rx.cnt.corrupt == 5);
	CHECK(rx.cnt.good == 1);
	CHECK(rx.cnt.other == 1);
	verify_rx_free(&rx);
}

static void
test_sequence(void)
{
	struct verify_rx rx;
	struct gen g, stranger;

	CHECK(verify_rx_init(&rx, 1, 2) == 0);
	gen_setup(&g, 64, 64, 0, 1);
	CHECK(check_seq(&rx, &g, 0) == VERIFY_GOOD);
	CHECK(check_seq(&rx, &g, 1) == VERIFY_GOOD);
	CHECK(check_seq(&rx, &g, 1) == VERIFY_DUP);
	CHECK(check_seq(&rx, &g, 4) == VERIFY_GOOD);	/* 2, 3 missing */
	CHECK(check_seq(&rx, &g, 2) == VERIFY_LATE);
	CHECK(check_seq(&rx, &g, 2) == VERIFY_DUP);
	CHECK(check_seq(&rx, &g, 0) == VERIFY_DUP);
	CHECK(rx.cnt.good == 4);
	CHECK(rx.cnt.dup == 3);
	CHECK(rx.cnt.ooo == 1);
	/* 5 sent (0-4), 4 good: seq 3 is the one lost */
	CHECK(verify_flow_good(&rx, 0, 1) == 4);
	/* a jump past the window forgets old seqs: they are stale, and the
	 * slots they shared with new seqs do not read as duplicates
	 */
	CHECK(check_seq(&rx, &g, 4 + VERIFY_WINDOW + 10) == VERIFY_GOOD);
	CHECK(check_seq(&rx, &g, 3) == VERIFY_STALE);
	CHECK(check_seq(&rx, &g, 4 + VERIFY_WINDOW) == VERIFY_LATE);
	CHECK(check_seq(&rx, &g, 4 + VERIFY_WINDOW) == VERIFY_DUP);
	CHECK(rx.cnt.ooo == 3);
	/* flows are independent; unknown flows are not counted as ours */
	gen_setup(&stranger, 64, 64, 0, 0);
	CHECK(check_seq(&rx, &stranger, 1) == VERIFY_GOOD);
	gen_setup(&stranger, 64, 64, 3, 0);
	CHECK(check_seq(&rx, &stranger, 1) == VERIFY_OTHER);
	verify_rx_free(&rx);
}

int
main(int argc, char **argv)
{
	char *eal[] = { argv[0], "--no-huge", "-m", "64", "--no-pci",
			"--no-shconf", "--no-telemetry", "--log-level", "lib.eal:error",
			"-l", "0" };

	if (rte_eal_init(RTE_DIM(eal), eal) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	mp = rte_pktmbuf_pool_create("test", 1024, 0, 0,
				     SEG_ROOM + RTE_PKTMBUF_HEADROOM,
				     SOCKET_ID_ANY);
	if (mp == NULL || verify_tpl_init(&tpl, 3000) != 0) {
		fprintf(stderr, "setup failed\n");
		return 1;
	}
	test_good_and_chains();
	test_corrupt();
	test_sequence();
	CHECK(rte_mempool_in_use_count(mp) == 0);
	verify_tpl_free(&tpl);
	rte_mempool_free(mp);
	rte_eal_cleanup();
	printf("%s\n", failures ? "FAILED" : "ok");
	return failures ? 1 : 0;
}
