/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Multicast control through xensim's netback, against what Linux
 * xen-netback does: a TX request with an MCAST_ADD or MCAST_DEL extra is
 * answered alone (OKAY, or ERROR for an add to a full list of 64), with a
 * null answer for its extra slot; while the frontend asks for multicast
 * control, now or later (request-multicast-control, watched), frames to a
 * multicast address it did not add do not reach it; broadcast and unicast
 * do; the list goes when the frontend does.
 *
 * usage: test_mcast XENSIM_BINARY
 */
#include <stdio.h>
#include <string.h>

#include "fe_ring.h"

#define VIF	0
#define NR_DST	4

static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t ucast[6] = { 0x00, 0x16, 0x3e, 0x00, 0x00, 0x09 };
static const uint8_t m1[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb };
static const uint8_t m2[6] = { 0x33, 0x33, 0x00, 0x00, 0x00, 0x01 };

static void
set_mcast_ctrl(int on)
{
	xwrite("device/vif/0/request-multicast-control", "%d", on);
}

/* An MCAST_ADD or MCAST_DEL request for addr, no data: its status; the
 * null answer of its extra-info slot must follow it. */
static int
mcast_req(struct fq *q, uint8_t type, const uint8_t addr[6])
{
	struct netif_extra_info ex = { .type = type };
	netif_tx_response_t rsp[2];
	long end = now_ms() + WAIT_MS;
	uint16_t id;

	/* Nothing else in flight: the next two answers are this one's. */
	reap_tx_all(q);
	memcpy(ex.u.mcast.addr, addr, 6);
	id = put_frame_ex(q, addr, 0, 0, &ex, 1);	/* size 0 */
	push_tx(q);
	while (RING_HAS_UNCONSUMED_RESPONSES(&q->tx) < 2 && now_ms() < end)
		sleep_ms(2);
	REQUIRE(RING_HAS_UNCONSUMED_RESPONSES(&q->tx) >= 2,
		"no answer to a multicast request");
	RING_COPY_RESPONSE(&q->tx, q->tx.rsp_cons++, &rsp[0]);
	RING_COPY_RESPONSE(&q->tx, q->tx.rsp_cons++, &rsp[1]);
	CHECK(rsp[0].id == id && rsp[1].status == NETIF_RSP_NULL,
	      "multicast request id %u answered by id %u, then status %d",
	      id, rsp[0].id, rsp[1].status);
	q->tx_busy[id] = false;
	return rsp[0].status;
}

/*
 * One frame to each of dst[0..n), then a unicast one to mark the end:
 * what comes back must be the frames of the bits of want, in order, then
 * the marker; the others are counted as filtered.
 */
static void
check_pass(struct fe *fe, const char *what, const uint8_t *const *dst,
	   unsigned int n, unsigned int want)
{
	long filtered = status_value(VIF, "rx_mcast_filtered");
	uint8_t f[NR_DST + 1][60], got[64];
	unsigned int i, dropped = 0;
	int len;

	REQUIRE(n <= NR_DST, "%s: %u destinations", what, n);
	for (i = 0; i <= n; i++) {
		memset(f[i], 0, sizeof(f[i]));
		memcpy(f[i], i < n ? dst[i] : ucast, 6);
		memcpy(f[i] + 6, (const uint8_t[]){ 0, 0x16, 0x3e, 0, 0, 2 },
		       6);
		f[i][12] = 0x88;		/* local experimental */
		f[i][13] = 0xb5;
		f[i][14] = (uint8_t)i;
		put_frame(&fe->q[0], f[i], sizeof(f[i]), 0);
		dropped += i < n && !(want & 1u << i);
	}
	push_tx(&fe->q[0]);
	for (i = 0; i <= n; i++) {
		if (i < n && !(want & 1u << i))
			continue;
		len = recv_frame(fe, &fe->q[0], got, sizeof(got));
		REQUIRE(len == (int)sizeof(f[i]), "%s: frame %u of %d bytes",
			what, i, len);
		CHECK(memcmp(got, f[i], sizeof(f[i])) == 0,
		      "%s: frame %u came back as frame %u", what, i, got[14]);
	}
	CHECK(status_await(VIF, "rx_mcast_filtered", filtered + dropped) ==
	      filtered + dropped, "%s: rx_mcast_filtered not %ld", what,
	      filtered + dropped);
	reap_tx_all(&fe->q[0]);
}

static void
check_status(const char *key, long want)
{
	long v = status_await(VIF, key, want);

	CHECK(v == want, "status.json: %s %ld, not %ld", key, v, want);
}

/* The filter, the list and its limit, on one connection. */
static void
test_list(struct fe *fe)
{
	const uint8_t *all[] = { m1, bcast, ucast, m2 };
	long adds = status_value(VIF, "mcast_adds");
	long dels = status_value(VIF, "mcast_dels");
	struct fq *q = &fe->q[0];
	uint8_t m[6];
	unsigned int i;

	printf("multicast filter and list\n");
	check_status("mcast_ctrl", 1);
	check_pass(fe, "empty list", all, 4, 1u << 1 | 1u << 2);
	CHECK(mcast_req(q, XEN_NETIF_EXTRA_TYPE_MCAST_ADD, m1) ==
	      NETIF_RSP_OKAY, "add refused");
	check_status("mcast_addrs", 1);
	check_pass(fe, "m1 added", (const uint8_t *[]){ m1, m2, bcast }, 3,
		   1u << 0 | 1u << 2);
	CHECK(mcast_req(q, XEN_NETIF_EXTRA_TYPE_MCAST_DEL, m1) ==
	      NETIF_RSP_OKAY, "delete refused");
	CHECK(mcast_req(q, XEN_NETIF_EXTRA_TYPE_MCAST_DEL, m1) ==
	      NETIF_RSP_OKAY, "delete of an address not there refused");
	check_status("mcast_addrs", 0);
	check_pass(fe, "m1 deleted", (const uint8_t *[]){ m1 }, 1, 0);
	/* As Linux: any address is taken, a duplicate is an entry. */
	CHECK(mcast_req(q, XEN_NETIF_EXTRA_TYPE_MCAST_ADD, ucast) ==
	      NETIF_RSP_OKAY, "add of a unicast address refused");
	CHECK(mcast_req(q, XEN_NETIF_EXTRA_TYPE_MCAST_ADD, m1) ==
	      NETIF_RSP_OKAY, "add refused");
	CHECK(mcast_req(q, XEN_NETIF_EXTRA_TYPE_MCAST_ADD, m1) ==
	      NETIF_RSP_OKAY, "duplicate add refused");
	memcpy(m, m1, 6);
	for (i = 3; i < 64; i++) {
		m[5] = (uint8_t)i;
		CHECK(mcast_req(q, XEN_NETIF_EXTRA_TYPE_MCAST_ADD, m) ==
		      NETIF_RSP_OKAY, "add %u refused", i + 1);
	}
	CHECK(mcast_req(q, XEN_NETIF_EXTRA_TYPE_MCAST_ADD, m2) ==
	      NETIF_RSP_ERROR, "add 65 taken");
	check_status("mcast_addrs", 64);
	check_pass(fe, "list full", (const uint8_t *[]){ m1, m2 }, 2, 1);
	CHECK(mcast_req(q, XEN_NETIF_EXTRA_TYPE_MCAST_DEL, m1) ==
	      NETIF_RSP_OKAY, "delete refused");
	check_pass(fe, "m1 added twice, deleted once",
		   (const uint8_t *[]){ m1 }, 1, 1);
	check_status("mcast_adds", adds + 66);
	check_status("mcast_dels", dels + 3);
}

/* Dynamic multicast control: the filter follows the frontend's key. */
static void
test_toggle(struct fe *fe)
{
	printf("request-multicast-control toggled while connected\n");
	set_mcast_ctrl(0);
	check_status("mcast_ctrl", 0);
	check_pass(fe, "control off", (const uint8_t *[]){ m2 }, 1, 1);
	set_mcast_ctrl(1);
	check_status("mcast_ctrl", 1);
	check_pass(fe, "control on again", (const uint8_t *[]){ m2 }, 1, 0);
}

int
main(int argc, char **argv)
{
	static const char *const args[] = {
		"--guests", "1",
		"--vif", "1/0,end=echo,queues=1",
		"--status-ms", "50",
		NULL
	};
	struct fe fe = { .handle = VIF, .nq = 1 };

	if (argc != 2) {
		fprintf(stderr, "usage: %s XENSIM_BINARY\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	start_xensim(argv[1], args, "xensim.log");
	set_mcast_ctrl(1);
	fe_up(&fe);
	test_list(&fe);
	test_toggle(&fe);
	fe_close(&fe);

	printf("a new connection: no list\n");
	fe_up(&fe);
	check_status("mcast_addrs", 0);
	check_pass(&fe, "reconnected", (const uint8_t *[]){ m1 }, 1, 0);
	fe_close(&fe);

	printf("no multicast control asked for\n");
	set_mcast_ctrl(0);
	fe_up(&fe);
	check_status("mcast_ctrl", 0);
	check_pass(&fe, "no control", (const uint8_t *[]){ m1, m2 }, 2, 3);
	fe_close(&fe);
	finish();
}
