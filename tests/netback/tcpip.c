/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "tcpip.h"

static const uint8_t unicast[6] = { 0x00, 0x16, 0x3e, 0x00, 0x00, 0x01 };

uint32_t
inet_add(uint32_t sum, const uint8_t *p, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < len; i++)
		sum += i % 2 ? p[i] : (uint32_t)p[i] << 8;
	return sum;
}

uint16_t
inet_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

struct tcp_layout
tcp_frame(uint8_t *f, const struct tcp_spec *s, unsigned int seed)
{
	struct tcp_layout lo = { .l3 = s->vlan ? 18 : 14 };
	unsigned int i, ip_len, thl = 20 + s->tcp_opt;
	uint8_t *ip = f + lo.l3, *th;

	memcpy(f, s->dst ? s->dst : unicast, 6);
	memcpy(f + 6, (const uint8_t[]){ 0x00, 0x16, 0x3e, 0, 0, 2 }, 6);
	if (s->vlan) {
		put16(f + 12, 0x8100);
		put16(f + 14, 7);
	}
	put16(f + lo.l3 - 2, s->ipv6 ? 0x86dd : 0x0800);
	lo.l4 = lo.l3 + (s->ipv6 ? 40 : 20) + s->ip_opt;
	lo.hdr_len = lo.l4 + thl;
	lo.len = lo.hdr_len + s->payload;
	ip_len = lo.len - lo.l3;
	memset(ip, 0, lo.l4 - lo.l3);
	if (s->ipv6) {
		ip[0] = 0x60;
		ip[1] = 0x0a;			/* traffic class, flow */
		ip[3] = 0x5c;
		put16(ip + 4, ip_len - 40);
		ip[6] = s->ip_opt ? 0 : (s->proto ? s->proto : 6);
		ip[7] = 64;
		for (i = 0; i < 32; i++)
			ip[8 + i] = (uint8_t)(0x20 + i * 3);
		if (s->ip_opt) {		/* hop-by-hop: PadN */
			ip[40] = s->proto ? s->proto : 6;
			ip[41] = (uint8_t)(s->ip_opt / 8 - 1);
			ip[42] = 1;
			ip[43] = (uint8_t)(s->ip_opt - 4);
		}
	} else {
		ip[0] = (uint8_t)(0x40 | (20 + s->ip_opt) / 4);
		ip[1] = 0x10;
		put16(ip + 2, ip_len);
		put16(ip + 4, s->ip_id);
		put16(ip + 6, s->frag ? s->frag : 0x4000);
		ip[8] = 64;
		ip[9] = s->proto ? s->proto : 6;
		memcpy(ip + 12, (const uint8_t[]){ 10, 9, 8, 7, 10, 1, 2, 3 },
		       8);
		for (i = 0; i < s->ip_opt; i++)	/* NOPs, then EOL */
			ip[20 + i] = i + 1 < s->ip_opt ? 1 : 0;
		put16(ip + 10, (uint16_t)~inet_fold(inet_add(0, ip,
							    20 + s->ip_opt)));
	}
	th = f + lo.l4;
	put16(th, 40000);
	put16(th + 2, 443);
	put16(th + 4, s->seq >> 16);
	put16(th + 6, s->seq);
	put16(th + 8, 0x1234);
	put16(th + 10, 0x5678);
	th[12] = (uint8_t)(thl / 4 << 4);
	th[13] = s->flags;
	put16(th + 14, 0xfaf0);
	put16(th + 16, 0xdead);
	put16(th + 18, 0);
	for (i = 0; i < s->tcp_opt; i++)	/* NOPs and a timestamp-ish */
		th[20 + i] = i < 2 ? 1 : (uint8_t)(i * 11 + seed);
	for (i = 0; i < s->payload; i++)
		f[lo.hdr_len + i] = (uint8_t)(seed * 31 + i * 7 + (i >> 9));
	return lo;
}

uint32_t
tcp_pseudo(const uint8_t *f, const struct tcp_layout *lo, unsigned int len,
	   bool ipv6)
{
	const uint8_t *ip = f + lo->l3;
	uint32_t sum = ipv6 ? inet_add(0, ip + 8, 32) : inet_add(0, ip + 12, 8);

	return sum + 6 + (len - lo->l4);
}

bool
tcp_csum_ok(const uint8_t *f, const struct tcp_layout *lo, unsigned int len,
	    bool ipv6, bool partial)
{
	uint32_t pseudo = tcp_pseudo(f, lo, len, ipv6);

	if (partial)
		return get16(f + lo->l4 + 16) == inet_fold(pseudo);
	return inet_fold(inet_add(pseudo, f + lo->l4, len - lo->l4)) ==
	       0xffff;
}

unsigned int
tcp_nr_segs(const struct tcp_layout *lo, unsigned int mss)
{
	unsigned int payload = lo->len - lo->hdr_len;

	return payload == 0 ? 1 : (payload + mss - 1) / mss;
}

void
check_segment(const char *what, const uint8_t *orig,
	      const struct tcp_layout *lo, bool ipv6, unsigned int mss,
	      unsigned int i, const uint8_t *seg, unsigned int len,
	      bool partial)
{
	unsigned int nr = tcp_nr_segs(lo, mss), done = i * mss;
	unsigned int n = lo->len - lo->hdr_len - done, want;
	uint8_t exp[256], got[256];
	uint8_t *ip = exp + lo->l3, *th = exp + lo->l4;
	uint32_t seq;

	want = lo->hdr_len + (n < mss ? n : mss);
	CHECK(len == want, "%s: segment %u of %u has %u bytes, not %u",
	      what, i, nr, len, want);
	if (len != want || lo->hdr_len > sizeof(exp))
		return;
	memcpy(exp, orig, lo->hdr_len);
	memcpy(got, seg, lo->hdr_len);
	if (ipv6) {
		put16(ip + 4, len - lo->l3 - 40);
	} else {
		put16(ip + 2, len - lo->l3);
		put16(ip + 4, get16(ip + 4) + i);
		CHECK(inet_fold(inet_add(0, seg + lo->l3, lo->l4 - lo->l3)) ==
		      0xffff, "%s: segment %u: IPv4 header checksum wrong",
		      what, i);
		put16(ip + 10, 0);
		put16(got + lo->l3 + 10, 0);
	}
	seq = get32(th + 4) + done;
	put16(th + 4, seq >> 16);
	put16(th + 6, seq);
	if (i != 0)
		th[13] &= (uint8_t)~TCP_CWR;
	if (i + 1 != nr)
		th[13] &= (uint8_t)~(TCP_FIN | TCP_PSH);
	CHECK(tcp_csum_ok(seg, lo, len, ipv6, partial),
	      "%s: segment %u: TCP checksum %#x not %s", what, i,
	      get16(seg + lo->l4 + 16), partial ? "the pseudo-header sum" :
	      "complete");
	put16(th + 16, 0);
	put16(got + lo->l4 + 16, 0);
	if (memcmp(exp, got, lo->hdr_len) != 0) {
		unsigned int b;

		for (b = 0; exp[b] == got[b]; b++)
			;
		CHECK(false, "%s: segment %u: header byte %u is %#x, not "
		      "%#x", what, i, b, got[b], exp[b]);
	}
	CHECK(memcmp(seg + lo->hdr_len, orig + lo->hdr_len + done,
		     len - lo->hdr_len) == 0,
	      "%s: segment %u: payload is not the frame's bytes %u..%u",
	      what, i, done, done + len - lo->hdr_len);
}
