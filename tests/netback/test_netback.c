/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Protocol test of xensim's netback: this program is the frontend, with
 * no DPDK, through lib/xenplat and libxenstore. It starts a xensim with
 * a few vifs and checks the handshake, the data path (echo) and the
 * failure cases against what a Linux netback does.
 *
 * usage: test_netback XENSIM_BINARY
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fe_ring.h"
#include "imix.h"

static void
check_key(unsigned int h, const char *key, const char *want)
{
	char *v = xread("/local/domain/0/backend/vif/1/%u/%s", h, key);

	if (want == NULL)
		CHECK(v == NULL, "backend key %s present (%s)", key, v);
	else
		CHECK(v != NULL && strcmp(v, want) == 0,
		      "backend key %s: got %s, want %s", key, v ? v : "(none)",
		      want);
	free(v);
}

static void
fill(uint8_t *p, unsigned int len, unsigned int seed)
{
	unsigned int i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(seed * 7 + i * 13 + (i >> 8));
}

static void
send_frame(struct fq *q, unsigned int len, unsigned int seed)
{
	uint8_t frame[16384];

	fill(frame, len, seed);
	post_frame(q, frame, len, 0);
}

static void
echo_frames(struct fe *fe, unsigned int qi)
{
	static const unsigned int sizes[] = { 60, 1000, 1514, 4096, 5000,
					      9000, 14 };
	struct fq *q = &fe->q[qi];
	uint8_t got[16384], want[16384];
	unsigned int i, reaped = 0, slots = 0;
	long end;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		int len;

		send_frame(q, sizes[i], i + qi * 100);
		slots += (sizes[i] + PAGE - 1) / PAGE;
		len = recv_frame(fe, q, got, sizeof(got));
		fill(want, sizes[i], i + qi * 100);
		CHECK(len == (int)sizes[i], "vif %u queue %u: sent %u bytes, "
		      "got %d back", fe->handle, qi, sizes[i], len);
		CHECK(len != (int)sizes[i] || memcmp(got, want, len) == 0,
		      "vif %u queue %u: frame of %u bytes corrupted",
		      fe->handle, qi, sizes[i]);
		reaped += reap_tx(q);
	}
	end = now_ms() + WAIT_MS;
	while (reaped < slots && now_ms() < end) {
		sleep_ms(2);
		reaped += reap_tx(q);
	}
	CHECK(reaped == slots, "vif %u queue %u: %u TX responses for %u "
	      "slots", fe->handle, qi, reaped, slots);
}

static void
test_echo(unsigned int h, unsigned int nq, bool split, unsigned int headroom)
{
	struct fe fe = { .handle = h, .nq = nq, .headroom = headroom };
	unsigned int i;

	printf("echo on vif 1/%u: %u queue(s), %s event channels, "
	       "headroom %u\n", h, nq, split ? "split" : "shared", headroom);
	REQUIRE(wait_be_state(h, XenbusStateInitWait),
		"backend not in InitWait (%d)", be_state(h));
	fe_connect(&fe, split, 1);
	REQUIRE(wait_be_state(h, XenbusStateConnected),
		"backend not Connected (%d)", be_state(h));
	for (i = 0; i < nq; i++)
		echo_frames(&fe, i);
	fe_close(&fe);
}

/* A TX request whose grant is not ours: the copy is refused, the slot is
 * answered with an error and its own id, the vif goes on. Then a request
 * crossing its page: fatal, as in Linux, and reported. */
static void
test_bad_requests(unsigned int h)
{
	struct fe fe = { .handle = h, .nq = 1 };
	struct fq *q = &fe.q[0];
	netif_tx_request_t *req;
	netif_tx_response_t rsp;
	uint8_t got[2048];
	long end;
	char *err;
	int notify;

	printf("bad TX requests on vif 1/%u\n", h);
	REQUIRE(wait_be_state(h, XenbusStateInitWait),
		"backend not in InitWait (%d)", be_state(h));
	fe_connect(&fe, false, 1);
	REQUIRE(wait_be_state(h, XenbusStateConnected),
		"backend not Connected (%d)", be_state(h));
	req = RING_GET_REQUEST(&q->tx, q->tx.req_prod_pvt);
	q->tx.req_prod_pvt++;
	*req = (netif_tx_request_t){ .gref = q->rxrefs[0] + 100000,
				     .size = 100, .id = 4242 };
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&q->tx, notify);
	if (notify)
		xenplat_evtchn_notify(q->ev[0]);
	end = now_ms() + WAIT_MS;
	while (!RING_HAS_UNCONSUMED_RESPONSES(&q->tx) && now_ms() < end)
		sleep_ms(2);
	REQUIRE(RING_HAS_UNCONSUMED_RESPONSES(&q->tx), "no TX response");
	RING_COPY_RESPONSE(&q->tx, q->tx.rsp_cons, &rsp);
	q->tx.rsp_cons++;
	CHECK(rsp.id == 4242 && rsp.status == NETIF_RSP_ERROR,
	      "bad gref: response id %u status %d", rsp.id, rsp.status);
	send_frame(q, 1000, 1);
	CHECK(recv_frame(&fe, q, got, sizeof(got)) == 1000,
	      "vif dead after a refused copy");
	reap_tx(q);

	req = RING_GET_REQUEST(&q->tx, q->tx.req_prod_pvt);
	q->tx.req_prod_pvt++;
	*req = (netif_tx_request_t){ .gref = q->txrefs[5], .offset = 4000,
				     .size = 200, .id = 5 };
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&q->tx, notify);
	if (notify)
		xenplat_evtchn_notify(q->ev[0]);
	CHECK(wait_be_state(h, XenbusStateClosing),
	      "backend not Closing after a cross-page request (%d)",
	      be_state(h));
	err = xread("/local/domain/0/error/backend/vif/1/%u/error", h);
	CHECK(err != NULL && strstr(err, "Cross page boundary") != NULL,
	      "error key: %s", err ? err : "(none)");
	free(err);
	fe_state(&fe, XenbusStateClosed);
	CHECK(wait_be_state(h, XenbusStateClosed),
	      "backend not Closed (%d)", be_state(h));
	fe_release(&fe);
}

/*
 * A UDP frame sent with csum_blank comes back through the echo: as is,
 * still flagged, to a frontend that takes checksum offload; complete and
 * not flagged to one that set feature-no-csum-offload.
 */
static void
test_csum_offload(unsigned int h, bool no_csum)
{
	struct fe fe = { .handle = h, .nq = 1 };
	uint8_t f[74] = { 0 }, got[128];
	struct rx_info ri;
	char path[64];
	unsigned int i;
	int len;

	printf("csum_blank echo, feature-no-csum-offload=%d\n", no_csum);
	memset(f, 0xff, 6);
	f[12] = 0x08;
	f[14] = 0x45;
	f[17] = 60;			/* IPv4 total length */
	f[22] = 64;
	f[23] = 17;
	memcpy(f + 26, (const uint8_t[]){ 192, 0, 2, 1, 192, 0, 2, 2 }, 8);
	f[34] = 1234 >> 8;
	f[35] = 1234 & 0xff;
	f[37] = 9;
	f[39] = 40;			/* UDP length */
	f[40] = 0x12;			/* a checksum field to be completed */
	f[41] = 0x34;
	for (i = 0; i < 32; i++)
		f[42 + i] = (uint8_t)(i * 7 + 3);
	snprintf(path, sizeof(path), "device/vif/%u/feature-no-csum-offload",
		 h);
	xwrite(path, "%d", no_csum);
	REQUIRE(wait_be_state(h, XenbusStateInitWait),
		"backend not in InitWait (%d)", be_state(h));
	/* Split: the last connection's event-channel-tx/rx keys stay. */
	fe_connect(&fe, true, 1);
	REQUIRE(wait_be_state(h, XenbusStateConnected),
		"backend not Connected (%d)", be_state(h));
	post_frame(&fe.q[0], f, sizeof(f), NETTXF_csum_blank);
	len = recv_frame_info(&fe, &fe.q[0], got, sizeof(got), &ri);
	CHECK(len == (int)sizeof(f), "echo of %d bytes", len);
	if (no_csum) {
		CHECK(!(ri.flags & NETRXF_csum_blank), "csum_blank sent to a "
		      "frontend without csum offload");
		/* Worked out independently for this frame. */
		f[40] = 0xaf;
		f[41] = 0x88;
	} else {
		CHECK(ri.flags & NETRXF_csum_blank, "csum_blank lost");
	}
	CHECK(len != (int)sizeof(f) || memcmp(got, f, sizeof(f)) == 0,
	      "echoed frame: checksum %02x%02x, want %02x%02x", got[40],
	      got[41], f[40], f[41]);
	sleep_ms(20);
	reap_tx(&fe.q[0]);
	fe_close(&fe);
	REQUIRE(xs_rm(xsh, XBT_NULL, path), "rm %s", path);
}

/* verify=1: an RX request whose id is still posted is counted. */
static void
test_rx_id_reuse(unsigned int h)
{
	struct fe fe = { .handle = h, .nq = 1 };
	struct fq *q = &fe.q[0];
	netif_rx_request_t *req;
	uint8_t got[2048];
	long end, v = -1;
	int notify;

	printf("verify=1: RX id reused while in flight\n");
	REQUIRE(wait_be_state(h, XenbusStateInitWait),
		"backend not in InitWait (%d)", be_state(h));
	fe_connect(&fe, false, 1);
	REQUIRE(wait_be_state(h, XenbusStateConnected),
		"backend not Connected (%d)", be_state(h));
	req = RING_GET_REQUEST(&q->rx, q->rx.req_prod_pvt);
	q->rx.req_prod_pvt++;
	req->id = 5;			/* page 5 is posted already */
	req->gref = q->rxrefs[6];
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&q->rx, notify);
	if (notify)
		xenplat_evtchn_notify(q->ev[0]);
	/* A frame wakes the backend up, which then sees the request. */
	send_frame(q, 100, 3);
	CHECK(recv_frame(&fe, q, got, sizeof(got)) == 100, "no echo");
	end = now_ms() + WAIT_MS;
	while (now_ms() < end && (v = status_value(h, "v_id_reuse")) < 1)
		sleep_ms(50);
	CHECK(v == 1, "status.json: v_id_reuse %ld, want 1", v);
	v = status_value(h, "violations");
	CHECK(v == 1, "status.json: violations %ld, want 1", v);
	reap_tx(q);
	fe_close(&fe);
}

/*
 * Linux netback copies a TX frame's first 128 bytes and grant-maps the
 * rest, and answers such a frame only once dom0 frees it: after a short
 * one posted behind it. So does xensim by default (tx-late=1), late but
 * with no further request or notification needed, even where nothing
 * comes back to wake it up (a sink); with tx-late=0 it answers in request
 * order.
 */
static void
test_tx_late(unsigned int h, bool late)
{
	static const unsigned int sizes[2] = { 1000, 60 };
	struct fe fe = { .handle = h, .nq = 1 };
	struct fq *q = &fe.q[0];
	uint8_t frame[1000];
	netif_tx_response_t rsp[2];
	uint16_t id[2];
	unsigned int i, n;
	long end, v = -1;

	printf("TX answers on vif 1/%u, tx-late=%d\n", h, late);
	REQUIRE(wait_be_state(h, XenbusStateInitWait),
		"backend not in InitWait (%d)", be_state(h));
	fe_connect(&fe, false, 1);
	REQUIRE(wait_be_state(h, XenbusStateConnected),
		"backend not Connected (%d)", be_state(h));
	for (i = 0; i < 2; i++) {
		fill(frame, sizes[i], i);
		id[i] = put_frame(q, frame, sizes[i], 0);
	}
	push_tx(q);
	n = reap_tx_rsp(q, rsp, 2);
	CHECK(n == 2, "%u TX responses for 2 frames", n);
	for (i = 0; i < n; i++)
		CHECK(rsp[i].status == NETIF_RSP_OKAY, "TX status %d",
		      rsp[i].status);
	/* late: the 60-byte frame's first */
	if (n == 2)
		CHECK(rsp[0].id == id[late] && rsp[1].id == id[!late],
		      "TX response ids %u, %u, want %u, %u", rsp[0].id,
		      rsp[1].id, id[late], id[!late]);
	end = now_ms() + WAIT_MS;
	while (now_ms() < end && status_value(h, "tx_pkts") < 2)
		sleep_ms(50);
	while (now_ms() < end && (v = status_value(h, "tx_late")) < late)
		sleep_ms(50);
	CHECK(v == late, "status.json: tx_late %ld, want %d", v, late);
	fe_close(&fe);
}

/*
 * The sink copies each frame to the next 64-byte boundary of its queue's
 * region, as a receiver into rotating mbufs: wherever it is, a lap's
 * worth of frames and one more make it start over exactly once. A sink
 * that copies into one buffer never does.
 */
static void
test_sink_region(unsigned int h)
{
	struct fe fe = { .handle = h, .nq = 1 };
	struct fq *q = &fe.q[0];
	const unsigned int len = 9000, step = (len + 63) & ~63u;
	const unsigned int batch = NR_BUFS / ((len + PAGE - 1) / PAGE);
	uint8_t frame[9000];
	long region, wraps, pkts;
	unsigned int i, n;

	printf("end=sink region on vif 1/%u\n", h);
	fe_up(&fe);
	region = status_value(h, "end_region");
	REQUIRE(region >= 4L << 20, "status.json: end_region %ld, want 4 MiB "
		"or more", region);
	wraps = status_value(h, "sink_wraps");
	pkts = status_value(h, "tx_pkts");
	n = (unsigned int)((region - len) / step + 2);
	fill(frame, len, 4);
	for (i = 0; i < n; i++) {
		put_frame(q, frame, len, 0);
		if ((i + 1) % batch != 0 && i + 1 != n)
			continue;
		push_tx(q);
		reap_tx_all(q);
	}
	CHECK(status_await(h, "tx_pkts", pkts + n) == pkts + n,
	      "status.json: tx_pkts not %ld", pkts + n);
	wraps = status_value(h, "sink_wraps") - wraps;
	CHECK(wraps == 1, "%u frames of %u bytes into a region of %ld: it "
	      "started over %ld times, not once", n, len, region, wraps);
	fe_close(&fe);
}

/*
 * A frontend without feature-sg but with a headroom: a frame that fits a
 * page comes back in one data slot, its XDP extra-info slot after it (an
 * extra slot holds no data); a larger one is dropped.
 */
static void
test_no_sg_headroom(unsigned int h)
{
	struct fe fe = { .handle = h, .nq = 1, .no_sg = true,
			 .headroom = 256 };
	struct fq *q = &fe.q[0];
	uint8_t got[2048], want[2048];
	long drops;
	int len;

	printf("no feature-sg, headroom 256 on vif 1/%u\n", h);
	fe_up(&fe);
	drops = status_value(h, "rx_drops");
	send_frame(q, 1514, 1);
	len = recv_frame(&fe, q, got, sizeof(got));
	fill(want, 1514, 1);
	CHECK(len == 1514 && memcmp(got, want, 1514) == 0,
	      "%d bytes back, not the 1514 sent", len);
	send_frame(q, 5000, 2);
	send_frame(q, 100, 3);
	len = recv_frame(&fe, q, got, sizeof(got));
	CHECK(len == 100, "%d bytes came back first, not the 100 sent after "
	      "5000 that do not fit a page", len);
	CHECK(status_await(h, "rx_drops", drops + 1) == drops + 1,
	      "status.json: rx_drops not %ld", drops + 1);
	reap_tx_all(q);
	fe_close(&fe);
}

/* More TX requests than the ring holds: the vif is disabled, as Linux
 * does, and the frontend's violation is counted. */
static void
test_ring_overflow(unsigned int h)
{
	struct fe fe = { .handle = h, .nq = 1 };
	struct fq *q = &fe.q[0];
	long end, v = -1;

	printf("TX ring overflow on vif 1/%u\n", h);
	REQUIRE(wait_be_state(h, XenbusStateInitWait),
		"backend not in InitWait (%d)", be_state(h));
	fe_connect(&fe, false, 1);
	REQUIRE(wait_be_state(h, XenbusStateConnected),
		"backend not Connected (%d)", be_state(h));
	q->tx.req_prod_pvt += RING_SIZE(&q->tx) + 1;
	wmb();
	q->txs->req_prod = q->tx.req_prod_pvt;
	xenplat_evtchn_notify(q->ev[0]);
	CHECK(wait_be_state(h, XenbusStateClosing),
	      "backend not Closing after an overflow (%d)", be_state(h));
	end = now_ms() + WAIT_MS;
	while (now_ms() < end && (v = status_value(h, "v_ring_overflow")) < 1)
		sleep_ms(50);
	CHECK(v == 1, "status.json: v_ring_overflow %ld, want 1", v);
	v = status_value(h, "violations");
	CHECK(v == 1, "status.json: violations %ld, want 1", v);
	fe_state(&fe, XenbusStateClosed);
	CHECK(wait_be_state(h, XenbusStateClosed),
	      "backend not Closed (%d)", be_state(h));
	fe_release(&fe);
}

static void
test_keys(void)
{
	printf("backend keys\n");
	REQUIRE(wait_be_state(0, XenbusStateInitWait),
		"backend not in InitWait (%d)", be_state(0));
	check_key(0, "feature-sg", "1");
	check_key(0, "feature-rx-copy", "1");
	check_key(0, "feature-rx-flip", "0");
	check_key(0, "feature-split-event-channels", "1");
	check_key(0, "multi-queue-max-queues", "2");
	check_key(0, "feature-xdp-headroom", "1");
	check_key(0, "feature-ipv6-csum-offload", "1");
	check_key(0, "hotplug-status", "connected");
	check_key(0, "feature-gso-tcpv4", "1");
	check_key(0, "feature-gso-tcpv6", "1");
	check_key(0, "feature-multicast-control", "1");
	check_key(0, "feature-dynamic-multicast-control", "1");
	check_key(0, "feature-ctrl-ring", "1");
	check_key(3, "feature-rx-copy", NULL);
	check_key(3, "feature-sg", "1");
}

static void
test_no_initwait(void)
{
	struct fe fe = { .handle = 1, .nq = 1 };

	printf("misbehave=no-initwait\n");
	sleep_ms(300);
	CHECK(be_state(1) == XenbusStateInitialising,
	      "no-initwait backend in state %d", be_state(1));
	fe_connect(&fe, false, 1);
	sleep_ms(300);
	CHECK(be_state(1) == XenbusStateInitialising,
	      "no-initwait backend in state %d", be_state(1));
	fe_release(&fe);
}

/*
 * Vif h's frontend connects with request-rx-copy=rx_copy, after writing
 * key (if any): the backend refuses with EOPNOTSUPP (95) naming what.
 */
static void
check_refused(unsigned int h, int rx_copy, const char *key, const char *what)
{
	struct fe fe = { .handle = h, .nq = 1 };
	char path[64], *err;

	printf("refused: %s\n", what);
	REQUIRE(wait_be_state(h, XenbusStateInitWait),
		"backend not in InitWait (%d)", be_state(h));
	if (key != NULL) {
		snprintf(path, sizeof(path), "device/vif/%u/%s", h, key);
		xwrite(path, "%u", 8u);
	}
	fe_connect(&fe, false, rx_copy);
	CHECK(wait_be_state(h, XenbusStateClosing),
	      "backend not Closing after a fatal error (%d)", be_state(h));
	err = xread("/local/domain/0/error/backend/vif/1/%u/error", h);
	CHECK(err != NULL && strncmp(err, "95 ", 3) == 0 &&
	      strstr(err, what) != NULL,
	      "error key: %s", err ? err : "(none)");
	free(err);
	fe_release(&fe);
}

/*
 * A generated frame's payload after its sequence number seq (big-endian at
 * byte 42): byte j is byte j % 8 of the big-endian word seq << 32 | ~seq.
 * A template copied for each frame does not make it.
 */
static bool
gen_payload_ok(const uint8_t *f, unsigned int len, uint32_t seq)
{
	uint8_t w[8];
	unsigned int j;

	for (j = 0; j < 4; j++) {
		w[j] = (uint8_t)(seq >> (24 - 8 * j));
		w[4 + j] = (uint8_t)(~seq >> (24 - 8 * j));
	}
	for (j = 46; j < len; j++)
		if (f[j] != w[j % 8])
			return false;
	return true;
}

/*
 * A generator fills RX with valid frames to our MAC, of one size or of
 * the IMIX lengths in turn, each written for its sequence number, out of
 * a frame ring of 4 MiB or more.
 */
static void
test_gen(unsigned int handle, const uint16_t *lens, unsigned int nr)
{
	struct fe fe = { .handle = handle, .nq = 1 };
	uint8_t got[2048], mac[6];
	uint32_t seq, prev = 0;
	unsigned int i;
	long region;
	char *macs;

	printf("end=gen: vif 1/%u, %u frame length(s)\n", handle, nr);
	macs = xread("device/vif/%u/mac", handle);
	REQUIRE(macs != NULL && sscanf(macs, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx",
				       &mac[0], &mac[1], &mac[2], &mac[3],
				       &mac[4], &mac[5]) == 6, "no mac");
	free(macs);
	REQUIRE(wait_be_state(handle, XenbusStateInitWait),
		"gen not InitWait");
	fe_connect(&fe, false, 1);
	REQUIRE(wait_be_state(handle, XenbusStateConnected),
		"gen not Connected");
	for (i = 0; i < 3 * NR_BUFS; i++) {
		int len = recv_frame(&fe, &fe.q[0], got, sizeof(got));

		CHECK(len == lens[i % nr], "generated frame %u of %d bytes, "
		      "not %u", i, len, lens[i % nr]);
		CHECK(memcmp(got, mac, 6) == 0 && got[12] == 0x08,
		      "generated frame not IPv4 to our MAC");
		if (len < 46)
			continue;
		seq = (uint32_t)got[42] << 24 | (uint32_t)got[43] << 16 |
		      (uint32_t)got[44] << 8 | got[45];
		CHECK(i == 0 || seq == prev + 1, "generated frame %u: "
		      "sequence number %u after %u", i, seq, prev);
		CHECK(gen_payload_ok(got, (unsigned int)len, seq),
		      "generated frame %u: payload not that of its sequence "
		      "number %u", i, seq);
		prev = seq;
	}
	region = status_value(handle, "end_region");
	CHECK(region >= 4L << 20 && (region & (region - 1)) == 0,
	      "status.json: end_region %ld, want a power of two of 4 MiB or "
	      "more", region);
	fe_close(&fe);
}

/* Two vifs joined: what one sends, the other receives. */
static void
test_peer(void)
{
	struct fe a = { .handle = 5, .nq = 2 }, b = { .handle = 6, .nq = 1 };
	uint8_t got[16384], want[16384];
	unsigned int i;
	int len;

	printf("end=peer: 1/5 <-> 1/6\n");
	REQUIRE(wait_be_state(5, XenbusStateInitWait) &&
		wait_be_state(6, XenbusStateInitWait), "peers not InitWait");
	fe_connect(&a, false, 1);
	fe_connect(&b, true, 1);
	REQUIRE(wait_be_state(5, XenbusStateConnected) &&
		wait_be_state(6, XenbusStateConnected),
		"peers not Connected");
	for (i = 0; i < 2; i++) {
		send_frame(&a.q[i], 3000, 50 + i);
		len = recv_frame(&b, &b.q[0], got, sizeof(got));
		fill(want, 3000, 50 + i);
		CHECK(len == 3000 && memcmp(got, want, 3000) == 0,
		      "a.q%u -> b: %d bytes", i, len);
	}
	send_frame(&b.q[0], 9000, 60);
	len = recv_frame(&a, &a.q[0], got, sizeof(got));
	fill(want, 9000, 60);
	CHECK(len == 9000 && memcmp(got, want, 9000) == 0, "b -> a: %d bytes",
	      len);
	sleep_ms(20);
	reap_tx(&a.q[0]);
	reap_tx(&a.q[1]);
	reap_tx(&b.q[0]);
	fe_close(&a);
	fe_close(&b);
}

static void
start(const char *bin)
{
	static const char *const args[] = {
		"--guests", "1",
		"--vif", "1/0,end=echo",
		"--vif", "1/1,misbehave=no-initwait",
		"--vif", "1/2",
		"--vif", "1/3,omit=feature-rx-copy,mode=poll",
		"--vif", "1/4,end=gen:100,queues=1",
		"--vif", "1/5,end=peer:1/6",
		"--vif", "1/6",
		"--vif", "1/7,end=echo,verify=1,queues=1",
		"--vif", "1/8,end=gen:imix,queues=1",
		"--vif", "1/9,end=echo,queues=1",
		"--vif", "1/10,end=sink,queues=1",
		"--vif", "1/11,end=sink,queues=1,tx-late=0",
		"--vif", "1/12",
		"--status-ms", "50",
		NULL
	};

	start_xensim(bin, args, NULL);
}

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s XENSIM_BINARY\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	start(argv[1]);
	test_keys();
	test_echo(0, 1, false, 0);
	test_echo(0, 2, true, 0);
	test_echo(0, 1, true, 256);	/* reconnect again, with headroom */
	test_echo(3, 2, false, 0);	/* poll mode */
	test_csum_offload(0, true);
	test_csum_offload(0, false);
	test_bad_requests(3);
	test_gen(4, (const uint16_t[]){ 100 }, 1);
	test_gen(8, imix_lens, IMIX_NR);
	test_peer();
	test_no_initwait();
	check_refused(2, 0, NULL, "request-rx-copy");
	/* Offered as by Linux, but xensim serves no control ring. */
	check_refused(12, 1, "ctrl-ring-ref", "ctrl-ring-ref");
	test_rx_id_reuse(7);
	test_no_sg_headroom(9);
	test_ring_overflow(9);
	test_tx_late(10, true);
	test_tx_late(11, false);
	test_sink_region(11);
	finish();
}
