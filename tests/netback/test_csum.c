/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit test of xensim's checksum completion (app/xensim/csum.c): every
 * frame it completes must check out under an independent verifier, and
 * what it cannot complete it must leave alone.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "csum.h"
#include "tcpip.h"

int failures;

/* The pseudo-header sum of the addresses at src (alen 16-bit words). */
static uint32_t
pseudo(const uint8_t *src, unsigned int alen, uint8_t proto,
       unsigned int l4len)
{
	return inet_add(0, src, 2 * alen) + proto + l4len;
}

/* The sum over a correct segment and its pseudo-header is 0xffff. */
static int
verify(const uint8_t *src, unsigned int alen, uint8_t proto,
       const uint8_t *l4, unsigned int l4len)
{
	return inet_fold(inet_add(pseudo(src, alen, proto, l4len), l4,
				  l4len)) == 0xffff;
}

/* Ethernet [+ VLAN] + IPv4 (ihl words) + UDP/TCP, payload, pad bytes. */
static unsigned int
build4(uint8_t *f, bool vlan, unsigned int ihl, uint8_t proto,
       unsigned int payload, unsigned int pad, uint16_t frag)
{
	unsigned int off = 12, l4h = proto == 6 ? 20 : 8, i, iplen;

	memset(f, 0, 2048);
	if (vlan) {
		f[12] = 0x81;
		f[14] = 0x00;
		f[15] = 0x05;
		off += 4;
	}
	f[off] = 0x08;
	f[off + 1] = 0x00;
	off += 2;
	iplen = ihl * 4 + l4h + payload;
	f[off] = (uint8_t)(0x40 | ihl);
	f[off + 2] = (uint8_t)(iplen >> 8);
	f[off + 3] = (uint8_t)iplen;
	f[off + 6] = (uint8_t)(frag >> 8);
	f[off + 7] = (uint8_t)frag;
	f[off + 8] = 64;
	f[off + 9] = proto;
	memcpy(f + off + 12, (const uint8_t[]){ 10, 1, 2, 3, 10, 200, 7, 9 },
	       8);
	off += ihl * 4;
	f[off] = 0x30;
	f[off + 1] = 0x39;
	f[off + 3] = 80;
	if (proto == 17) {
		f[off + 4] = (uint8_t)((8 + payload) >> 8);
		f[off + 5] = (uint8_t)(8 + payload);
	}
	f[off + l4h - 4] = 0xde;	/* garbage where the sum goes */
	for (i = 0; i < payload; i++)
		f[off + l4h + i] = (uint8_t)(i * 37 + 11);
	for (i = 0; i < pad; i++)
		f[off + l4h + payload + i] = 0xaa;
	return off + l4h + payload + pad;
}

static void
test_ipv4(void)
{
	static const struct {
		bool vlan;
		unsigned int ihl;
		uint8_t proto;
		unsigned int payload, pad;
	} c[] = {
		{ false, 5, 17, 100, 0 },
		{ false, 5, 17, 101, 0 },	/* odd length */
		{ false, 5, 6, 1400, 0 },
		{ false, 7, 6, 33, 0 },		/* IP options */
		{ true, 5, 17, 0, 0 },		/* VLAN, empty payload */
		{ false, 5, 17, 4, 14 },	/* Ethernet padding */
	};
	uint8_t f[2048];
	unsigned int i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		unsigned int len = build4(f, c[i].vlan, c[i].ihl, c[i].proto,
					  c[i].payload, c[i].pad, 0);
		unsigned int ip = c[i].vlan ? 18 : 14;
		unsigned int l4 = ip + c[i].ihl * 4;
		unsigned int l4len = (c[i].proto == 6 ? 20 : 8) +
				     c[i].payload;

		CHECK(csum_complete(f, len) == 0, "case %u: not completed", i);
		CHECK(verify(f + ip + 12, 4, c[i].proto, f + l4, l4len),
		      "case %u: checksum wrong", i);
		CHECK(!csum_is_ipv6(f, len), "case %u: taken for IPv6", i);
	}
}

static void
test_ipv6(void)
{
	uint8_t f[2048] = { 0 };
	unsigned int payload = 301, l4 = 14 + 40 + 8, l4len = 20 + payload;
	unsigned int i, len = l4 + l4len;

	f[12] = 0x86;
	f[13] = 0xdd;
	f[14] = 0x60;
	f[18] = (uint8_t)((8 + l4len) >> 8);
	f[19] = (uint8_t)(8 + l4len);
	f[20] = 0;			/* hop-by-hop options first */
	f[21] = 1;
	for (i = 22; i < 54; i++)
		f[i] = (uint8_t)(i * 3);
	f[54] = 6;			/* then TCP */
	f[55] = 0;
	f[l4 + 12] = 0x50;
	f[l4 + 16] = 0x12;
	for (i = 0; i < payload; i++)
		f[l4 + 20 + i] = (uint8_t)(i ^ 0x5a);
	CHECK(csum_is_ipv6(f, len), "IPv6 not recognised");
	CHECK(csum_complete(f, len) == 0, "IPv6/TCP not completed");
	CHECK(verify(f + 22, 16, 6, f + l4, l4len),
	      "IPv6/TCP checksum wrong");
}

/* csum_blank as a sender leaves it: the field holds the pseudo-header
 * sum; an IPv4 header's own checksum. */
static void
test_partial(void)
{
	uint8_t f[2048];
	unsigned int len, field;

	len = build4(f, true, 6, 6, 333, 0, 0);
	field = 18 + 24 + 16;
	CHECK(csum_partial(f, len) == 0, "IPv4/TCP not set up");
	CHECK((f[field] << 8 | f[field + 1]) ==
	      inet_fold(pseudo(f + 18 + 12, 4, 6, 20 + 333)),
	      "IPv4/TCP pseudo-header sum %02x%02x", f[field], f[field + 1]);
	len = build4(f, false, 5, 17, 77, 4, 0);
	field = 14 + 20 + 6;
	CHECK(csum_partial(f, len) == 0, "IPv4/UDP not set up");
	CHECK((f[field] << 8 | f[field + 1]) ==
	      inet_fold(pseudo(f + 14 + 12, 4, 17, 8 + 77)),
	      "IPv4/UDP pseudo-header sum %02x%02x", f[field], f[field + 1]);
	len = build4(f, false, 5, 1, 50, 0, 0);		/* ICMP */
	CHECK(csum_partial(f, len) == -1, "ICMP set up");
	build4(f, false, 7, 6, 10, 0, 0);
	f[24] = 0x12;
	csum_ip4_header(f + 14);
	CHECK(inet_fold(inet_add(0, f + 14, 28)) == 0xffff,
	      "IPv4 header checksum wrong");
}

/* Fragments, other protocols and every truncation: left alone. */
static void
test_refused(void)
{
	uint8_t f[2048], g[2048];
	unsigned int len, cut;

	len = build4(f, false, 5, 17, 50, 0, 0x2000);	/* MF */
	memcpy(g, f, len);
	CHECK(csum_complete(f, len) == -1 && memcmp(f, g, len) == 0,
	      "a fragment was touched");
	len = build4(f, false, 5, 1, 50, 0, 0);		/* ICMP */
	memcpy(g, f, len);
	CHECK(csum_complete(f, len) == -1 && memcmp(f, g, len) == 0,
	      "ICMP was touched");
	len = build4(f, true, 6, 6, 200, 0, 0);
	for (cut = 0; cut < len; cut++) {
		memcpy(g, f, len);
		CHECK(csum_complete(g, cut) == -1 && memcmp(f, g, len) == 0,
		      "frame cut at %u of %u was touched", cut, len);
	}
}

int
main(void)
{
	test_ipv4();
	test_ipv6();
	test_partial();
	test_refused();
	printf("%s\n", failures ? "FAILED" : "PASSED");
	return failures ? 1 : 0;
}
