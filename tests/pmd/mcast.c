/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pmd_test mode for the multicast filter, against xensim's echo end:
 *   mcast RUN|-             with feature-multicast-control: all-multicast
 *                           off makes the backend drop multicast frames
 *                           outside the list set_mc_addr_list gave (on the
 *                           fly, dynamic control; again after a restart),
 *                           broadcast passes; bad lists are refused.
 *                           Without the feature both calls are -ENOTSUP.
 *                           RUN: xensim's, whose counters are checked too.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ether.h>
#include <xenstore.h>

#include "check.h"
#include "pmd_test.h"

static const struct rte_ether_addr grp1 = {{ 0x01, 0, 0x5e, 0, 0, 1 }};
static const struct rte_ether_addr grp2 = {{ 0x01, 0, 0x5e, 0, 0, 2 }};
static const struct rte_ether_addr grp6 = {{ 0x33, 0x33, 0, 0, 0, 1 }};
static const struct rte_ether_addr bcast = {{ 0xff, 0xff, 0xff, 0xff, 0xff,
					     0xff }};

static uint32_t seq;
static uint64_t lost;	/* frames sent that did not come back */

/* A frame to dst out, and whether it came back through the filter. */
static bool
echoed(const struct rte_ether_addr *dst)
{
	uint8_t f[64] = { 0 };
	struct rte_mbuf *m;
	char mac[RTE_ETHER_ADDR_FMT_SIZE];
	bool back = false;

	memcpy(f, dst, RTE_ETHER_ADDR_LEN);
	memcpy(f + 6, "\x02\0\0\0\0\x01", 6);
	f[12] = 0x88;
	f[13] = 0xb5;
	memcpy(f + 14, &seq, sizeof(seq));
	m = mbuf_from(f, sizeof(f));
	rte_ether_format_addr(mac, sizeof(mac), dst);
	REQUIRE(rte_eth_tx_burst(port, 0, &m, 1) == 1, "TX to %s refused",
		mac);
	/* A frame not filtered comes back well within this. */
	while ((m = rx_one(1, 300)) != NULL) {
		uint32_t got;

		memcpy(&got, rte_pktmbuf_mtod_offset(m, uint8_t *, 14),
		       sizeof(got));
		back |= got == seq;
		rte_pktmbuf_free(m);
		if (back)
			break;
	}
	seq++;
	lost += !back;
	return back;
}

/*
 * A frame to dst passes (pass) or is filtered; after a switch of
 * request-multicast-control, within tries frames: the backend reads the
 * key when its watch fires, a while later on a busy (or emulated) dom0.
 */
static void
expect_within(const struct rte_ether_addr *dst, bool pass, unsigned int tries,
	      const char *when)
{
	char mac[RTE_ETHER_ADDR_FMT_SIZE];
	bool got;

	do
		got = echoed(dst);
	while (got != pass && --tries > 0);
	rte_ether_format_addr(mac, sizeof(mac), dst);
	CHECK(got == pass, "%s: a frame to %s %s", when, mac,
	      pass ? "was dropped" : "passed the filter");
}

static void
expect(const struct rte_ether_addr *dst, bool pass, const char *when)
{
	expect_within(dst, pass, 1, when);
}

#define SWITCH_TRIES	20

static void
set_list(const struct rte_ether_addr *a, uint32_t n, unsigned int want,
	 const char *run)
{
	char s[64];

	REQUIRE(rte_eth_dev_set_mc_addr_list(port,
		(struct rte_ether_addr *)(uintptr_t)a, n) == 0,
		"set_mc_addr_list of %u", n);
	/* Queue 0's next burst hands the list to the backend. */
	echoed(&bcast);
	if (run == NULL)
		return;
	snprintf(s, sizeof(s), "\"mcast_addrs\":%u,", want);
	check_status(run, s, "the backend's list");
}

static void
refusals(void)
{
	struct rte_ether_addr many[65];
	struct rte_ether_addr uni = {{ 0x02, 0, 0, 0, 0, 9 }};
	unsigned int i;

	for (i = 0; i < RTE_DIM(many); i++)
		many[i] = (struct rte_ether_addr){{ 0x01, 0, 0x5e, 0, 1, i }};
	CHECK(rte_eth_dev_set_mc_addr_list(port, many, 65) == -EINVAL,
	      "65 addresses taken, the backend keeps 64");
	CHECK(rte_eth_dev_set_mc_addr_list(port, &uni, 1) == -EINVAL,
	      "a unicast address taken as multicast");
}

static bool
backend_filters(void)
{
	struct xs_handle *xs = xs_open(0);
	char *be, *f, path[300];
	unsigned int len;
	bool on;

	REQUIRE(xs != NULL, "xs_open");
	be = xs_read(xs, XBT_NULL, "device/vif/0/backend", &len);
	REQUIRE(be != NULL, "device/vif/0/backend");
	snprintf(path, sizeof(path), "%s/feature-multicast-control", be);
	f = xs_read(xs, XBT_NULL, path, &len);
	on = f != NULL && strcmp(f, "1") == 0;
	free(f);
	free(be);
	xs_close(xs);
	return on;
}

void
mode_mcast(int argc, char **argv)
{
	const struct rte_ether_addr list[] = { grp1, grp6 };
	const char *run;

	REQUIRE(argc >= 1, "mcast RUN|-");
	run = strcmp(argv[0], "-") != 0 ? argv[0] : NULL;
	port_setup_conf(1, &(struct rte_eth_conf){ 0 });
	port_start();
	if (!backend_filters()) {
		CHECK(rte_eth_dev_set_mc_addr_list(port,
			(struct rte_ether_addr *)(uintptr_t)list, 2) ==
		      -ENOTSUP, "a list taken without a backend filter");
		CHECK(rte_eth_allmulticast_disable(port) == -ENOTSUP &&
		      rte_eth_allmulticast_get(port) == 1,
		      "all-multicast off without a backend filter");
		expect(&grp2, true, "no filter");
		printf("mcast: no backend filter, none offered\n");
		goto out;
	}
	expect(&grp2, true, "all-multicast");
	set_list(list, RTE_DIM(list), 2, run);
	expect(&grp2, true, "all-multicast with a list");
	REQUIRE(rte_eth_allmulticast_disable(port) == 0, "all-multicast off");
	expect_within(&grp2, false, SWITCH_TRIES, "filtering");
	expect(&grp1, true, "filtering");
	expect(&grp6, true, "filtering");
	expect(&bcast, true, "filtering");
	set_list(&grp2, 1, 1, run);
	expect(&grp2, true, "a new list");
	expect(&grp1, false, "a new list");
	refusals();
	/* A new connection: the backend's list is empty until start. */
	rte_eth_dev_stop(port);
	port_start();
	if (run != NULL)
		check_status(run, "\"mcast_addrs\":1,",
			     "the list after a restart");
	expect(&grp2, true, "restarted");
	expect(&grp1, false, "restarted");
	REQUIRE(rte_eth_allmulticast_enable(port) == 0, "all-multicast on");
	expect_within(&grp1, true, SWITCH_TRIES, "all-multicast again");
	/* Not a fixed number: how many frames a switch takes varies. */
	CHECK(lost >= 3 && (run == NULL ||
			    status_sum(run, "rx_mcast_filtered") == lost),
	      "%" PRIu64 " frames filtered, %" PRIu64 " did not come back",
	      run != NULL ? status_sum(run, "rx_mcast_filtered") : 0, lost);
	printf("mcast: the backend filtered by the list while all-multicast "
	       "was off\n");
out:
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
}
