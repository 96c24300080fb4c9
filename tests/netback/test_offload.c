/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * GSO through xensim's netback, against what Linux xen-netback does: a TX
 * GSO packet (up to 64 KiB in up to 18 slots) reaches the vif's end whole,
 * its checksum left to complete (fixed up if the frontend did not blank
 * it); one that is not TCP over its IP version is dropped, a GSO size of
 * 0 or an unknown type disables the vif. An echo brings it back whole
 * with a GSO extra-info slot to a frontend with feature-gso-tcpv4/6, SG
 * and the checksum offload of its IP version, in segments to any other; a
 * TAP (in a network namespace made here) gets the segments a Linux stack
 * would make. tcpip.c judges every segment.
 *
 * usage: test_offload XENSIM_BINARY
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>

#include "fe_ring.h"
#include "netns.h"
#include "tcpip.h"

/* VIF_ADV: an echo with the adversary holding, reordering, verifying;
 * VIF_PEER_A and _B: two vifs joined. */
enum { VIF_ECHO, VIF_ZERO, VIF_TYPE, VIF_TAP, VIF_ADV, VIF_PEER_A,
       VIF_PEER_B };

static uint8_t frame[65536], got[65536];
static const char *ns_name;
static char tap_name[IFNAMSIZ];

/* The largest GSO packet there is, and one of IPv6 with its own MSS. */
static const struct tcp_spec v4_max = {
	.tcp_opt = 12, .payload = 65535 - 14 - 20 - 32,
	.flags = TCP_ACK | TCP_PSH | TCP_FIN | TCP_CWR, .ip_id = 0xfff0,
	.seq = 0xfffff000,
};
static const struct tcp_spec v6 = {
	.ipv6 = true, .tcp_opt = 12, .payload = 30000,
	.flags = TCP_ACK | TCP_PSH | TCP_CWR, .seq = 5,
};
#define MSS4	1448
#define MSS6	1428

/* The frontend's offload keys, every one written, before it connects. */
static void
fe_offloads(unsigned int h, int gso4, int gso6, int no_csum, int ipv6_csum)
{
	const struct {
		const char *key;
		int val;
	} k[] = {
		{ "feature-gso-tcpv4", gso4 },
		{ "feature-gso-tcpv6", gso6 },
		{ "feature-no-csum-offload", no_csum },
		{ "feature-ipv6-csum-offload", ipv6_csum },
	};
	char path[96];
	unsigned int i;

	for (i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		snprintf(path, sizeof(path), "device/vif/%u/%s", h, k[i].key);
		xwrite(path, "%d", k[i].val);
	}
}

/* Post the frame of s as a GSO packet with an extra of mss and type. */
static struct tcp_layout
send_gso(struct fq *q, const struct tcp_spec *s, uint16_t mss, uint8_t type,
	 uint16_t flags, unsigned int seed)
{
	struct netif_extra_info ex = {
		.type = XEN_NETIF_EXTRA_TYPE_GSO,
		.u.gso = { .size = mss, .type = type },
	};
	struct tcp_layout lo = tcp_frame(frame, s, seed);

	put_frame_ex(q, frame, lo.len, flags, &ex, 1);
	push_tx(q);
	return lo;
}

/* The same with csum_blank, at the MSS and type of its IP version. */
static struct tcp_layout
send_gso_blank(struct fq *q, const struct tcp_spec *s, unsigned int seed)
{
	return send_gso(q, s, s->ipv6 ? MSS6 : MSS4, s->ipv6 ?
			XEN_NETIF_GSO_TYPE_TCPV6 : XEN_NETIF_GSO_TYPE_TCPV4,
			NETTXF_csum_blank | NETTXF_data_validated, seed);
}

/* A frontend that takes GSO gets each packet back whole, after a GSO
 * extra-info slot (before the XDP one with a headroom). */
static void
test_whole(unsigned int h, unsigned int headroom)
{
	struct fe fe = { .handle = h, .nq = 1, .headroom = headroom };
	const uint16_t all = NETRXF_csum_blank | NETRXF_data_validated |
			     NETRXF_extra_info;
	const struct tcp_spec *s[2] = { &v4_max, &v6 };
	long rx_gso = status_value(h, "rx_gso");
	long tx_gso = status_value(h, "tx_gso");
	struct tcp_layout lo;
	struct rx_info ri;
	unsigned int i;
	int len;

	printf("vif 1/%u: GSO echoed whole, headroom %u\n", h, headroom);
	fe_offloads(h, 1, 1, 0, 1);
	fe_up(&fe);
	for (i = 0; i < 2; i++) {
		lo = send_gso_blank(&fe.q[0], s[i], i);
		len = recv_frame_info(&fe, &fe.q[0], got, sizeof(got), &ri);
		CHECK(len == (int)lo.len && memcmp(got, frame, lo.len) == 0,
		      "IPv%d: %d bytes back, not the %u sent", i ? 6 : 4, len,
		      lo.len);
		CHECK((ri.flags & all) == all, "IPv%d: first slot flags %#x",
		      i ? 6 : 4, ri.flags);
		CHECK(ri.gso.type == XEN_NETIF_EXTRA_TYPE_GSO &&
		      ri.gso.u.gso.size == (i ? MSS6 : MSS4) &&
		      ri.gso.u.gso.type == (i ? XEN_NETIF_GSO_TYPE_TCPV6 :
					    XEN_NETIF_GSO_TYPE_TCPV4) &&
		      ri.gso.u.gso.features == 0,
		      "IPv%d: GSO extra type %u size %u gso type %u features "
		      "%u", i ? 6 : 4, ri.gso.type, ri.gso.u.gso.size,
		      ri.gso.u.gso.type, ri.gso.u.gso.features);
		reap_tx_all(&fe.q[0]);
	}
	CHECK(status_await(h, "tx_gso", tx_gso + 2) == tx_gso + 2,
	      "status.json: tx_gso not %ld", tx_gso + 2);
	CHECK(status_await(h, "rx_gso", rx_gso + 2) == rx_gso + 2,
	      "status.json: rx_gso not %ld", rx_gso + 2);
	fe_close(&fe);
}

/* Receive the segments of the frame of s (cut at mss): with csum_blank
 * when partial, complete otherwise. */
static void
recv_segments(const char *what, struct fe *fe, const struct tcp_layout *lo,
	      bool ipv6, unsigned int mss, bool partial)
{
	unsigned int i, nr = tcp_nr_segs(lo, mss);
	struct rx_info ri;
	int len;

	for (i = 0; i < nr; i++) {
		len = recv_frame_info(fe, &fe->q[0], got, sizeof(got), &ri);
		REQUIRE(len > 0, "%s: segment %u of %u missing", what, i, nr);
		CHECK(ri.gso.type == XEN_NETIF_EXTRA_TYPE_NONE,
		      "%s: segment %u with a GSO extra", what, i);
		CHECK(!(ri.flags & NETRXF_csum_blank) == !partial,
		      "%s: segment %u flags %#x", what, i, ri.flags);
		check_segment(what, frame, lo, ipv6, mss, i, got,
			      (unsigned int)len, partial);
	}
}

struct seg_case {
	const char *what;
	int gso4, gso6, no_csum, ipv6_csum;
	bool no_sg;
	unsigned int headroom;
	uint16_t mss;			/* 0: MSS4 and MSS6 */
};

/* Any other frontend gets the segments, each with its checksum blank if
 * it takes that (rx_csum_blank_ok), complete otherwise. */
static void
test_segmented(unsigned int h, const struct seg_case *c)
{
	struct fe fe = { .handle = h, .nq = 1, .no_sg = c->no_sg,
			 .headroom = c->headroom };
	const struct tcp_spec *s[2] = { &v4_max, &v6 };
	long segs = status_value(h, "gso_segs"), want = segs;
	struct tcp_layout lo;
	char what[96];
	unsigned int i, mss;

	printf("vif 1/%u: GSO echoed in segments: %s\n", h, c->what);
	fe_offloads(h, c->gso4, c->gso6, c->no_csum, c->ipv6_csum);
	fe_up(&fe);
	for (i = 0; i < 2; i++) {
		mss = c->mss ? c->mss : i ? MSS6 : MSS4;
		lo = send_gso(&fe.q[0], s[i], (uint16_t)mss, i ?
			      XEN_NETIF_GSO_TYPE_TCPV6 :
			      XEN_NETIF_GSO_TYPE_TCPV4,
			      NETTXF_csum_blank, i);
		snprintf(what, sizeof(what), "%s, IPv%d", c->what, i ? 6 : 4);
		recv_segments(what, &fe, &lo, i, mss,
			      !c->no_csum && (!i || c->ipv6_csum));
		want += tcp_nr_segs(&lo, mss);
		reap_tx_all(&fe.q[0]);
	}
	CHECK(status_await(h, "gso_segs", want) == want,
	      "status.json: gso_segs not %ld", want);
	fe_close(&fe);
}

/* Between two vifs, the receiving frontend's features decide: whole to
 * the one with GSO, in segments to the one without. */
static void
test_peer(void)
{
	struct fe a = { .handle = VIF_PEER_A, .nq = 1 };
	struct fe b = { .handle = VIF_PEER_B, .nq = 1 };
	struct tcp_layout lo;
	struct rx_info ri;
	int len;

	printf("GSO between peers\n");
	fe_offloads(VIF_PEER_A, 0, 0, 0, 0);
	fe_offloads(VIF_PEER_B, 1, 1, 0, 1);
	fe_up(&a);
	fe_up(&b);
	lo = send_gso_blank(&a.q[0], &v6, 1);
	len = recv_frame_info(&b, &b.q[0], got, sizeof(got), &ri);
	CHECK(len == (int)lo.len && memcmp(got, frame, lo.len) == 0 &&
	      ri.gso.type == XEN_NETIF_EXTRA_TYPE_GSO,
	      "a -> b: %d bytes, extra type %u; want %u bytes whole", len,
	      ri.gso.type, lo.len);
	lo = send_gso_blank(&b.q[0], &v4_max, 2);
	recv_segments("b -> a", &a, &lo, false, MSS4, true);
	reap_tx_all(&a.q[0]);
	reap_tx_all(&b.q[0]);
	fe_close(&a);
	fe_close(&b);
}

/* got holds the frame of lo as sent but for its TCP checksum, which is
 * the pseudo-header sum a receiver of csum_blank completes. */
static void
check_blank_copy(const struct tcp_layout *lo, bool ipv6)
{
	CHECK(tcp_csum_ok(got, lo, lo->len, ipv6, true),
	      "checksum field %02x%02x, not the pseudo-header sum",
	      got[lo->l4 + 16], got[lo->l4 + 17]);
	memcpy(got + lo->l4 + 16, frame + lo->l4 + 16, 2);
	CHECK(memcmp(got, frame, lo->len) == 0,
	      "more than the checksum changed");
}

/* A plain frame sent now comes back before anything sent before it. */
static void
plain_comes_first(struct fe *fe, const char *what)
{
	const struct tcp_spec plain = { .payload = 60 };
	struct tcp_layout lo = tcp_frame(frame, &plain, 99);
	int len;

	post_frame(&fe->q[0], frame, lo.len, 0);
	len = recv_frame(fe, &fe->q[0], got, sizeof(got));
	CHECK(len == (int)lo.len && memcmp(got, frame, lo.len) == 0,
	      "%s: %d bytes came back first, not the plain frame's %u", what,
	      len, lo.len);
}

/* No csum_blank on a GSO packet: as Linux's checksum_setup(), the
 * checksum field gets the pseudo-header sum, and the packet goes on as if
 * it had been blank. */
static void
test_csum_fixup(void)
{
	struct fe fe = { .handle = VIF_ECHO, .nq = 1 };
	long fixups = status_value(VIF_ECHO, "tx_gso_csum_fixup");
	struct tcp_layout lo;
	struct rx_info ri;
	int len;

	printf("GSO without csum_blank\n");
	fe_offloads(VIF_ECHO, 1, 1, 0, 1);
	fe_up(&fe);
	lo = send_gso(&fe.q[0], &v6, MSS6, XEN_NETIF_GSO_TYPE_TCPV6, 0, 7);
	len = recv_frame_info(&fe, &fe.q[0], got, sizeof(got), &ri);
	CHECK(len == (int)lo.len, "%d bytes back, not %u", len, lo.len);
	CHECK((ri.flags & NETRXF_csum_blank) &&
	      ri.gso.type == XEN_NETIF_EXTRA_TYPE_GSO,
	      "flags %#x, extra type %u", ri.flags, ri.gso.type);
	if (len == (int)lo.len)
		check_blank_copy(&lo, true);
	reap_tx_all(&fe.q[0]);
	CHECK(status_await(VIF_ECHO, "tx_gso_csum_fixup", fixups + 1) ==
	      fixups + 1, "status.json: tx_gso_csum_fixup not %ld",
	      fixups + 1);
	fe_close(&fe);
}

/* A GSO packet that is not TCP over the IP version of its type is dropped
 * (answered OKAY, as Linux answers it before it finds out); a frame sent
 * after it comes back first. */
static void
test_bad_gso(void)
{
	struct fe fe = { .handle = VIF_ECHO, .nq = 1 };
	const struct tcp_spec udp = { .payload = 3000, .proto = 17 };
	long bad = status_value(VIF_ECHO, "tx_gso_bad");

	printf("GSO packets that are not TCP of their IP version\n");
	fe_offloads(VIF_ECHO, 1, 1, 0, 1);
	fe_up(&fe);
	send_gso(&fe.q[0], &udp, MSS4, XEN_NETIF_GSO_TYPE_TCPV4,
		 NETTXF_csum_blank, 1);
	send_gso(&fe.q[0], &v6, MSS4, XEN_NETIF_GSO_TYPE_TCPV4,
		 NETTXF_csum_blank, 2);
	plain_comes_first(&fe, "bad GSO");
	reap_tx_all(&fe.q[0]);
	CHECK(status_await(VIF_ECHO, "tx_gso_bad", bad + 2) == bad + 2,
	      "status.json: tx_gso_bad not %ld", bad + 2);
	fe_close(&fe);
}

/*
 * A GSO packet of one segment toward a frontend without GSO: whole with
 * its checksum blank if the frontend takes that; dropped if its checksum
 * must be completed, as Linux drops it (skb_checksum_help() refuses a GSO
 * skb that tcp_gso_segment() left whole). A frame sent after it comes
 * back first.
 */
static void
test_one_segment(void)
{
	struct fe fe = { .handle = VIF_ECHO, .nq = 1 };
	const struct tcp_spec one = { .payload = 100, .seq = 9 };
	long drops = status_value(VIF_ECHO, "rx_drops");
	struct tcp_layout lo;
	struct rx_info ri;
	int len;

	printf("GSO packets of one segment\n");
	fe_offloads(VIF_ECHO, 0, 0, 0, 1);
	fe_up(&fe);
	lo = send_gso_blank(&fe.q[0], &one, 1);
	len = recv_frame_info(&fe, &fe.q[0], got, sizeof(got), &ri);
	CHECK(len == (int)lo.len && (ri.flags & NETRXF_csum_blank) &&
	      ri.gso.type == XEN_NETIF_EXTRA_TYPE_NONE,
	      "checksum offload: %d bytes, flags %#x, extra type %u; want "
	      "%u bytes, csum_blank, no extra", len, ri.flags, ri.gso.type,
	      lo.len);
	if (len == (int)lo.len)
		check_blank_copy(&lo, false);
	reap_tx_all(&fe.q[0]);
	fe_close(&fe);

	fe_offloads(VIF_ECHO, 0, 0, 1, 0);
	fe_up(&fe);
	send_gso_blank(&fe.q[0], &one, 2);
	plain_comes_first(&fe, "no checksum offload");
	reap_tx_all(&fe.q[0]);
	CHECK(status_await(VIF_ECHO, "rx_drops", drops + 1) == drops + 1,
	      "status.json: rx_drops not %ld", drops + 1);
	fe_close(&fe);
}

/* A GSO extra of size 0 or of an unknown type: fatal, as Linux's
 * xenvif_set_skb_gso(); the reason is in xenstore. */
static void
test_fatal(unsigned int h, uint16_t mss, uint8_t type, const char *msg)
{
	struct fe fe = { .handle = h, .nq = 1 };
	const struct tcp_spec s = { .payload = 5000 };
	char *err;

	printf("fatal GSO extra: size %u type %u\n", mss, type);
	fe_offloads(h, 0, 0, 0, 0);
	fe_up(&fe);
	send_gso(&fe.q[0], &s, mss, type, NETTXF_csum_blank, 1);
	CHECK(wait_be_state(h, XenbusStateClosing),
	      "backend not Closing after a bad GSO extra (%d)", be_state(h));
	err = xread("/local/domain/0/error/backend/vif/1/%u/error", h);
	CHECK(err != NULL && strstr(err, msg) != NULL,
	      "error key: %s, not about '%s'", err ? err : "(none)", msg);
	free(err);
	CHECK(status_await(h, "fatal", 1) == 1, "status.json: fatal not 1");
	fe_state(&fe, XenbusStateClosed);
	CHECK(wait_be_state(h, XenbusStateClosed), "backend not Closed (%d)",
	      be_state(h));
	fe_release(&fe);
}

/* The source MAC of tcp_frame(), the test frontend's. */
static const uint8_t fe_mac[6] = { 0x00, 0x16, 0x3e, 0, 0, 2 };

/* A TAP without offloads: the stack gets the segments, checksums
 * complete. Matched to their place by sequence number, not arrival. A GSO
 * packet of one segment is dropped (see test_one_segment()): the plain
 * frame after it comes first. */
static void
test_tap(void)
{
	struct fe fe = { .handle = VIF_TAP, .nq = 1 };
	const struct tcp_spec *s[2] = { &v4_max, &v6 };
	const struct tcp_spec one = { .payload = 100 };
	struct tcp_spec plain = { .payload = 60 };
	long segs = status_value(VIF_TAP, "gso_segs"), want = segs;
	long drops = status_value(VIF_TAP, "rx_drops");
	bool seen[64];
	struct tcp_layout lo;
	unsigned int i, k, mss, nr;
	uint32_t seq;
	int fd, len;

	printf("GSO into a TAP in netns %s\n", ns_name);
	fd = netns_packet_socket(ns_name, tap_name, false);
	REQUIRE(fd >= 0, "no packet socket on %s in %s", tap_name, ns_name);
	fe_offloads(VIF_TAP, 0, 0, 0, 0);
	fe_up(&fe);
	for (i = 0; i < 2; i++) {
		lo = send_gso_blank(&fe.q[0], s[i], i);
		mss = i ? MSS6 : MSS4;
		nr = tcp_nr_segs(&lo, mss);
		REQUIRE(nr <= 64, "too many segments");
		memset(seen, 0, sizeof(seen));
		for (k = 0; k < nr; k++) {
			len = netns_packet_recv(fd, false, fe_mac, NULL, got,
						sizeof(got));
			REQUIRE(len > 0, "IPv%d: %u of %u segments came",
				i ? 6 : 4, k, nr);
			memcpy(&seq, got + lo.l4 + 4, 4);
			seq = (ntohl(seq) - s[i]->seq) / mss;
			REQUIRE(seq < nr && !seen[seq], "IPv%d: segment %u "
				"again, or none of ours", i ? 6 : 4, seq);
			seen[seq] = true;
			check_segment(i ? "TAP, IPv6" : "TAP, IPv4", frame,
				      &lo, i, mss, seq, got,
				      (unsigned int)len, false);
		}
		want += nr;
		reap_tx_all(&fe.q[0]);
	}
	send_gso_blank(&fe.q[0], &one, 3);
	lo = tcp_frame(frame, &plain, 4);
	post_frame(&fe.q[0], frame, lo.len, 0);
	len = netns_packet_recv(fd, false, fe_mac, NULL, got, sizeof(got));
	CHECK(len == (int)lo.len && memcmp(got, frame, lo.len) == 0,
	      "one segment: %d bytes came first, not the plain frame's %u",
	      len, lo.len);
	reap_tx_all(&fe.q[0]);
	CHECK(status_await(VIF_TAP, "rx_drops", drops + 1) == drops + 1,
	      "status.json: rx_drops not %ld", drops + 1);
	close(fd);
	CHECK(status_await(VIF_TAP, "gso_segs", want) == want,
	      "status.json: gso_segs not %ld", want);
	fe_close(&fe);
}

int
main(int argc, char **argv)
{
	const struct seg_case seg_cases[] = {
		{ "no GSO", 0, 0, 0, 0, false, 0, 0 },
		{ "GSO without checksum offload", 1, 1, 1, 1, false, 0, 0 },
		{ "TCPv6 GSO without IPv6 checksum offload", 0, 1, 0, 0,
		  false, 0, 0 },
		{ "GSO without SG", 1, 1, 0, 1, true, 0, 0 },
		/* More slots than the frontend posts: in several passes. */
		{ "no GSO, headroom, MSS 500", 0, 0, 0, 1, false, 256, 500 },
	};
	char tap[96];
	const char *args[] = {
		"--guests", "1",
		"--vif", "1/0,end=echo,queues=1",
		"--vif", "1/1,end=echo,queues=1",
		"--vif", "1/2,end=echo,queues=1",
		"--vif", tap,
		"--vif", "1/4,end=echo,queues=1,verify=1,tx-hold=4,"
			 "tx-reorder=1,tx-delay-us=100,rx-hold=8,"
			 "rx-delay-us=100,seed=9",
		"--vif", "1/5,end=peer:1/6,queues=1",
		"--vif", "1/6,queues=1",
		"--status-ms", "50",
		NULL
	};
	unsigned int i;

	if (argc != 2) {
		fprintf(stderr, "usage: %s XENSIM_BINARY\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	ns_name = netns_add("nbgso");
	snprintf(tap_name, sizeof(tap_name), "nbg%d", (int)getpid());
	snprintf(tap, sizeof(tap), "1/3,end=tap:%s@%s,queues=1", tap_name,
		 ns_name);
	start_xensim(argv[1], args, "xensim.log");
	test_whole(VIF_ECHO, 0);
	test_whole(VIF_ECHO, 256);
	for (i = 0; i < sizeof(seg_cases) / sizeof(seg_cases[0]); i++)
		test_segmented(VIF_ECHO, &seg_cases[i]);
	/* The hostile layer takes GSO packets and their extras in its
	 * stride, and sees the frontend do nothing wrong. */
	test_whole(VIF_ADV, 256);
	test_segmented(VIF_ADV, &seg_cases[4]);
	CHECK(status_value(VIF_ADV, "violations") == 0,
	      "vif 1/%u: violations %ld", VIF_ADV,
	      status_value(VIF_ADV, "violations"));
	test_peer();
	test_csum_fixup();
	test_bad_gso();
	test_one_segment();
	test_fatal(VIF_ZERO, 0, XEN_NETIF_GSO_TYPE_TCPV4,
		   "GSO size must not be zero");
	test_fatal(VIF_TYPE, MSS4, 3, "Bad GSO type 3");
	test_tap();
	finish();
}
