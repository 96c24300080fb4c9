/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit test of xensim's software segmentation (app/xensim/gso.c): each
 * segment it makes of a GSO frame must be what Linux's tcp_gso_segment()
 * makes of it, as tcpip.c judges independently; frames it cannot segment
 * it must refuse.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "gso.h"
#include "tcpip.h"

int failures;

static uint8_t frame[65536], seg[65536];

static void
segment_all(const char *what, const struct tcp_spec *s, unsigned int mss)
{
	struct tcp_layout lo = tcp_frame(frame, s, mss);
	unsigned int nr = tcp_nr_segs(&lo, mss), i, p;
	struct gso g;

	REQUIRE(gso_parse(&g, frame, lo.len, (uint16_t)mss, s->ipv6) == 0,
		"%s: not taken", what);
	CHECK(g.nr_segs == nr, "%s: %u segments, not %u", what, g.nr_segs,
	      nr);
	for (p = 0; p < 2; p++) {
		for (i = 0; i < g.nr_segs && i < nr; i++) {
			uint32_t len;

			memset(seg, 0xee, lo.len);
			len = gso_segment(&g, i, seg, p);
			CHECK(len == gso_seg_len(&g, i),
			      "%s: segment %u: %u bytes, gso_seg_len %u",
			      what, i, len, gso_seg_len(&g, i));
			check_segment(what, frame, &lo, s->ipv6, mss, i, seg,
				      len, p);
		}
	}
}

static void
test_segments(void)
{
	static const uint8_t all = TCP_CWR | TCP_ECE | TCP_ACK | TCP_PSH |
				   TCP_FIN;
	const struct {
		const char *what;
		struct tcp_spec s;
		unsigned int mss;
	} c[] = {
		{ "IPv4", { .payload = 10000, .flags = all, .ip_id = 100,
			    .seq = 1000 }, 1448 },
		{ "IPv4, options, VLAN", { .vlan = true, .ip_opt = 8,
			.tcp_opt = 12, .payload = 60000, .flags = all,
			.ip_id = 0xfffe, .seq = 0xfffff000 }, 1400 },
		{ "IPv4, payload a multiple of mss", { .payload = 4 * 1000,
			.flags = all }, 1000 },
		{ "IPv4, one segment", { .payload = 500, .flags = all }, 1448 },
		{ "IPv4, no payload", { .flags = TCP_ACK | TCP_FIN }, 1448 },
		{ "IPv4, mss 1", { .payload = 7, .flags = all }, 1 },
		{ "IPv6", { .ipv6 = true, .payload = 9000, .flags = all,
			    .seq = 77 }, 1440 },
		{ "IPv6, hop-by-hop, options, VLAN", { .ipv6 = true,
			.vlan = true, .ip_opt = 16, .tcp_opt = 20,
			.payload = 65535 - 18 - 56 - 40, .flags = all,
			.seq = 0xffffffff }, 536 },
	};
	unsigned int i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		segment_all(c[i].what, &c[i].s, c[i].mss);
}

/* Not TCP over the IP version asked for, fragments, bad TCP headers, a
 * zero mss and every truncation: refused. */
static void
test_refused(void)
{
	struct tcp_spec s = { .payload = 3000, .tcp_opt = 8 };
	struct tcp_layout lo;
	unsigned int cut;
	struct gso g;

	lo = tcp_frame(frame, &s, 1);
	CHECK(gso_parse(&g, frame, lo.len, 0, false) == -1, "mss 0 taken");
	CHECK(gso_parse(&g, frame, lo.len, 1000, true) == -1,
	      "IPv4 taken for TCPv6");
	for (cut = 0; cut < lo.len; cut++)
		CHECK(gso_parse(&g, frame, cut, 1000, false) == -1,
		      "frame cut at %u of %u taken", cut, lo.len);
	frame[lo.l4 + 12] = 4 << 4;
	CHECK(gso_parse(&g, frame, lo.len, 1000, false) == -1,
	      "TCP data offset 4 taken");
	s.ipv6 = true;
	lo = tcp_frame(frame, &s, 1);
	CHECK(gso_parse(&g, frame, lo.len, 1000, false) == -1,
	      "IPv6 taken for TCPv4");
	s.ipv6 = false;
	s.payload = 0;
	s.tcp_opt = 40;
	lo = tcp_frame(frame, &s, 1);
	/* The data offset says 60 bytes, the IP length leaves 40. */
	frame[lo.l3 + 3] -= 20;
	CHECK(gso_parse(&g, frame, lo.len - 20, 1000, false) == -1,
	      "TCP header past the IP packet taken");
	s = (struct tcp_spec){ .payload = 3000, .proto = 17 };
	lo = tcp_frame(frame, &s, 1);
	CHECK(gso_parse(&g, frame, lo.len, 1000, false) == -1, "UDP taken");
	s = (struct tcp_spec){ .payload = 3000, .frag = 0x2000 };
	lo = tcp_frame(frame, &s, 1);
	CHECK(gso_parse(&g, frame, lo.len, 1000, false) == -1,
	      "a fragment taken");
}

int
main(void)
{
	test_segments();
	test_refused();
	printf("%s\n", failures ? "FAILED" : "PASSED");
	return failures ? 1 : 0;
}
