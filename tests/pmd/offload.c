/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pmd_test modes for the offloads, against xensim's echo end:
 *   csum RX_CSUM            TCP and UDP frames over IPv4 and IPv6 (within
 *                           the MTU), sent
 *                           with checksum offload (IPv4 header checksum
 *                           0, L4 field the pseudo-header sum), come back
 *                           byte-exact: checksums completed by the
 *                           backend (RX_CSUM 0), or the L4 one left blank
 *                           and flagged so (RX_CSUM 1, with IPv4
 *                           headers checked: a bad one is flagged);
 *                           chains when the backend has feature-sg
 *   tso LRO                 64 KB TCP frames sent with TSO come back as
 *                           MSS segments with every header and checksum
 *                           right (LRO 0), or as LRO packets whose
 *                           headers say where their payload goes (LRO 1)
 *   mtu VIF_MTU             the vif's MTU is the default and the bound;
 *                           TX drops what is over the MTU
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "check.h"
#include "pmd_test.h"

#define MAX_FRAME	(65535 + RTE_ETHER_HDR_LEN)
#define MSS		1448u
#define TCP_HLEN	((uint32_t)sizeof(struct rte_tcp_hdr))

struct flow {
	bool v6;
	uint8_t proto;
	const char *name;
};

static const struct flow flows[] = {
	{ false, IPPROTO_TCP, "tcp4" },
	{ false, IPPROTO_UDP, "udp4" },
	{ true, IPPROTO_TCP, "tcp6" },
	{ true, IPPROTO_UDP, "udp6" },
};

static uint32_t
l3_len(const struct flow *fl)
{
	return fl->v6 ? sizeof(struct rte_ipv6_hdr) :
			sizeof(struct rte_ipv4_hdr);
}

static uint32_t
l4_len(const struct flow *fl)
{
	return fl->proto == IPPROTO_TCP ? TCP_HLEN :
					  sizeof(struct rte_udp_hdr);
}

static uint8_t
payload_byte(uint32_t seq, uint32_t i)
{
	return (uint8_t)(seq * 11 + i * 7 + (i >> 8));
}

/* Where frame f's L4 checksum field is. */
static uint8_t *
l4_cksum_at(uint8_t *f, const struct flow *fl)
{
	return f + RTE_ETHER_HDR_LEN + l3_len(fl) +
	       (fl->proto == IPPROTO_TCP ?
		offsetof(struct rte_tcp_hdr, cksum) :
		offsetof(struct rte_udp_hdr, dgram_cksum));
}

static uint16_t
l4_cksum_get(uint8_t *f, const struct flow *fl)
{
	uint16_t v;

	memcpy(&v, l4_cksum_at(f, fl), sizeof(v));
	return v;
}

static void
l4_cksum_set(uint8_t *f, const struct flow *fl, uint16_t v)
{
	memcpy(l4_cksum_at(f, fl), &v, sizeof(v));
}

/* The checksum a complete frame has in its L4 field (which it zeroes). */
static uint16_t
l4_full(uint8_t *f, const struct flow *fl)
{
	void *ip = f + RTE_ETHER_HDR_LEN;
	void *l4 = (uint8_t *)ip + l3_len(fl);

	l4_cksum_set(f, fl, 0);
	return fl->v6 ? rte_ipv6_udptcp_cksum(ip, l4) :
			rte_ipv4_udptcp_cksum(ip, l4);
}

/*
 * A frame of len bytes with every checksum complete; its payload is a
 * function of seq. TCP starts at sequence number isn.
 */
static void
build(uint8_t *f, const struct flow *fl, uint32_t len, uint32_t seq,
      uint32_t isn, uint8_t tcp_flags)
{
	struct rte_ether_hdr *eth = (void *)f;
	uint8_t *ip = f + RTE_ETHER_HDR_LEN;
	uint8_t *l4 = ip + l3_len(fl);
	uint8_t *pl = l4 + l4_len(fl);
	uint32_t l4_bytes = len - RTE_ETHER_HDR_LEN - l3_len(fl), i;

	memset(f, 0, pl - f);
	memset(&eth->dst_addr, 0xff, RTE_ETHER_ADDR_LEN);
	memcpy(&eth->src_addr, "\x02\0\0\0\0\x01", RTE_ETHER_ADDR_LEN);
	for (i = 0; i < len - (uint32_t)(pl - f); i++)
		pl[i] = payload_byte(seq, i);
	if (fl->v6) {
		struct rte_ipv6_hdr *h = (void *)ip;

		eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
		h->vtc_flow = rte_cpu_to_be_32(6u << 28);
		h->payload_len = rte_cpu_to_be_16(l4_bytes);
		h->proto = fl->proto;
		h->hop_limits = 64;
		memcpy(&h->src_addr, "\xfd\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
		memcpy(&h->dst_addr, "\xfd\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x02", 16);
	} else {
		struct rte_ipv4_hdr *h = (void *)ip;

		eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
		h->version_ihl = RTE_IPV4_VHL_DEF;
		h->total_length = rte_cpu_to_be_16(len - RTE_ETHER_HDR_LEN);
		h->packet_id = rte_cpu_to_be_16((uint16_t)(seq * 100));
		h->time_to_live = 64;
		h->next_proto_id = fl->proto;
		h->src_addr = rte_cpu_to_be_32(RTE_IPV4(10, 0, 0, 1));
		h->dst_addr = rte_cpu_to_be_32(RTE_IPV4(10, 0, 0, 2));
		h->hdr_checksum = rte_ipv4_cksum(h);
	}
	if (fl->proto == IPPROTO_TCP) {
		struct rte_tcp_hdr *t = (void *)l4;

		t->src_port = rte_cpu_to_be_16(40000);
		t->dst_port = rte_cpu_to_be_16(5201);
		t->sent_seq = rte_cpu_to_be_32(isn);
		t->data_off = (TCP_HLEN / 4) << 4;
		t->tcp_flags = tcp_flags;
		t->rx_win = rte_cpu_to_be_16(65535);
	} else {
		struct rte_udp_hdr *u = (void *)l4;

		u->src_port = rte_cpu_to_be_16(40000);
		u->dst_port = rte_cpu_to_be_16(5201);
		u->dgram_len = rte_cpu_to_be_16(l4_bytes);
	}
	l4_cksum_set(f, fl, l4_full(f, fl));
}

/* The pseudo-header sum DPDK's checksum offload wants in the L4 field. */
static uint16_t
pseudo(uint8_t *f, const struct flow *fl, uint64_t ol_flags)
{
	void *ip = f + RTE_ETHER_HDR_LEN;

	return fl->v6 ? rte_ipv6_phdr_cksum(ip, ol_flags) :
			rte_ipv4_phdr_cksum(ip, ol_flags);
}

static void
send_one(struct rte_mbuf *m, const char *what)
{
	REQUIRE(rte_eth_tx_burst(port, 0, &m, 1) == 1, "%s: TX refused",
		what);
}

static void
setup(uint64_t rx_offloads, uint64_t tx_offloads)
{
	/* LRO packets as large as a GSO one: the driver asks for no less */
	struct rte_eth_conf conf = {
		.rxmode.offloads = rx_offloads,
		.rxmode.max_lro_pkt_size = MAX_FRAME + RTE_VLAN_HLEN,
		.txmode.offloads = tx_offloads,
	};

	port_setup_conf(1, &conf);
	port_start();
}

static uint64_t
tx_capa(void)
{
	struct rte_eth_dev_info info;

	REQUIRE(rte_eth_dev_info_get(port, &info) == 0, "dev_info");
	return info.tx_offload_capa;
}

static bool
same(const uint8_t *want, struct rte_mbuf *m, uint32_t len, const char *what)
{
	static uint8_t buf[MAX_FRAME];
	const uint8_t *p;
	uint32_t i;

	if (m->pkt_len != len) {
		CHECK(false, "%s: %u bytes back, want %u", what, m->pkt_len,
		      len);
		return false;
	}
	p = rte_pktmbuf_read(m, 0, len, buf);
	for (i = 0; i < len && p[i] == want[i]; i++)
		;
	CHECK(i == len, "%s: byte %u is %#x, want %#x", what, i, p[i],
	      want[i]);
	return i == len;
}

/* IP_CKSUM_GOOD only when the driver checked: no backend does. */
static void
check_rx_flags(struct rte_mbuf *m, uint64_t want_ip, uint64_t want_l4,
	       const char *what)
{
	uint64_t ip = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;
	uint64_t l4 = m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;

	CHECK(ip == want_ip, "%s: IP checksum flags %#" PRIx64 ", want %#"
	      PRIx64, what, ip, want_ip);
	CHECK(l4 == want_l4, "%s: L4 checksum flags %#" PRIx64 ", want %#"
	      PRIx64, what, l4, want_l4);
}

void
mode_csum(int argc, char **argv)
{
	static const uint32_t sizes[] = { 80, 200, 1514, 3000, 9014 };
	static uint8_t ref[MAX_FRAME], tx[MAX_FRAME];
	bool rx_csum = argc > 0 && atoi(argv[0]) != 0, sg;
	uint16_t mtu;
	uint64_t capa, csum = RTE_ETH_TX_OFFLOAD_IPV4_CKSUM |
		RTE_ETH_TX_OFFLOAD_TCP_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM;
	unsigned int f, i, n = 0;
	struct rte_mbuf *m;
	char what[64];

	capa = tx_capa();
	REQUIRE((capa & csum) == csum, "TX checksum offload not offered: %#"
		PRIx64, capa);
	sg = capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	setup(RTE_ETH_RX_OFFLOAD_SCATTER | (rx_csum ?
		RTE_ETH_RX_OFFLOAD_CHECKSUM : 0),
	      csum | (sg ? RTE_ETH_TX_OFFLOAD_MULTI_SEGS : 0));
	REQUIRE(rte_eth_dev_get_mtu(port, &mtu) == 0, "get mtu");
	for (f = 0; f < RTE_DIM(flows); f++) {
		const struct flow *fl = &flows[f];

		for (i = 0; i < RTE_DIM(sizes); i++) {
			uint32_t len = sizes[i];

			/* Without SG the MTU is 1500; the vif's may be less. */
			if (len > (uint32_t)mtu + RTE_ETHER_HDR_LEN)
				continue;
			snprintf(what, sizeof(what), "%s %u bytes", fl->name,
				 len);
			build(ref, fl, len, n, 1000, RTE_TCP_ACK_FLAG);
			memcpy(tx, ref, len);
			if (!fl->v6)
				((struct rte_ipv4_hdr *)(tx +
					RTE_ETHER_HDR_LEN))->hdr_checksum = 0;
			l4_cksum_set(tx, fl, pseudo(tx, fl, 0));
			m = mbuf_from(tx, len);
			m->l2_len = RTE_ETHER_HDR_LEN;
			m->l3_len = l3_len(fl);
			m->ol_flags = (fl->v6 ? RTE_MBUF_F_TX_IPV6 :
				       RTE_MBUF_F_TX_IPV4 |
				       RTE_MBUF_F_TX_IP_CKSUM) |
				      (fl->proto == IPPROTO_TCP ?
				       RTE_MBUF_F_TX_TCP_CKSUM :
				       RTE_MBUF_F_TX_UDP_CKSUM);
			send_one(m, what);
			m = rx_one(1, WAIT_MS);
			REQUIRE(m != NULL, "%s: did not come back", what);
			/* Blank: the pseudo-header sum stays in the field. */
			if (rx_csum)
				l4_cksum_set(ref, fl, l4_cksum_get(tx, fl));
			same(ref, m, len, what);
			/* Completed by the backend, which then vouches for
			 * nothing (Linux: CHECKSUM_NONE). */
			check_rx_flags(m, rx_csum && !fl->v6 ?
				       RTE_MBUF_F_RX_IP_CKSUM_GOOD :
				       RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN,
				       rx_csum ? RTE_MBUF_F_RX_L4_CKSUM_NONE :
				       RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN, what);
			rte_pktmbuf_free(m);
			n++;
		}
	}
	/* A bad IPv4 header checksum, sent as it is, is found out. */
	build(ref, &flows[1], 200, n, 0, 0);
	((struct rte_ipv4_hdr *)(ref + RTE_ETHER_HDR_LEN))->hdr_checksum ^= 1;
	send_one(mbuf_from(ref, 200), "bad IPv4 header");
	m = rx_one(1, WAIT_MS);
	REQUIRE(m != NULL, "the bad IPv4 header did not come back");
	same(ref, m, 200, "bad IPv4 header");
	check_rx_flags(m, rx_csum ? RTE_MBUF_F_RX_IP_CKSUM_BAD :
		       RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN,
		       RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN, "bad IPv4 header");
	rte_pktmbuf_free(m);
	CHECK(xstats_sum("_errors") == 0, "errors counted");
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
	printf("csum: %u frames (%s, %s) came back byte-exact\n", n,
	       sg ? "SG" : "no SG", rx_csum ? "RX checksums left blank" :
	       "RX checksums completed");
}

struct tso_rx {
	const struct flow *fl;
	uint32_t isn, total;	/* payload bytes sent */
	uint32_t got;		/* payload bytes back, in order */
	uint16_t ip_id;		/* IPv4: the next segment's */
	unsigned int pkts;
	uint8_t flags;		/* of the frame sent */
	bool lro;
};

/* One packet back: where its payload goes, that it is the next, that
 * its headers are those of a segment (or run of segments) of the sent. */
static void
tso_check(struct tso_rx *t, struct rte_mbuf *m, uint32_t seq,
	  const char *what)
{
	static uint8_t buf[MAX_FRAME];
	const struct flow *fl = t->fl;
	uint32_t hlen = RTE_ETHER_HDR_LEN + l3_len(fl) + TCP_HLEN;
	uint8_t *p, want_flags = t->flags;
	struct rte_tcp_hdr *th;
	uint32_t len, off, i, nseg;
	uint16_t ck;

	REQUIRE(m->pkt_len > hlen && m->pkt_len <= MAX_FRAME,
		"%s: a packet of %u bytes", what, m->pkt_len);
	p = (uint8_t *)rte_pktmbuf_read(m, 0, m->pkt_len, buf);
	if (p != buf)
		memcpy(buf, p, m->pkt_len);
	p = buf;
	len = m->pkt_len - hlen;
	th = (void *)(p + RTE_ETHER_HDR_LEN + l3_len(fl));
	off = rte_be_to_cpu_32(th->sent_seq) - t->isn;
	REQUIRE(off == t->got, "%s: payload at %u, want %u next", what, off,
		t->got);
	REQUIRE(off + len <= t->total, "%s: %u bytes past the end", what,
		off + len - t->total);
	for (i = 0; i < len && p[hlen + i] == payload_byte(seq, off + i); i++)
		;
	CHECK(i == len, "%s: payload byte %u of %u differs", what, off + i,
	      t->total);
	nseg = (len + MSS - 1) / MSS;
	/* One segment's worth goes and comes as a plain packet. */
	if (t->lro) {
		CHECK(!!(m->ol_flags & RTE_MBUF_F_RX_LRO) == (nseg > 1) &&
		      (nseg == 1 || m->tso_segsz == MSS),
		      "%s: LRO %d, segment size %u, %u segments", what,
		      !!(m->ol_flags & RTE_MBUF_F_RX_LRO), m->tso_segsz, nseg);
		check_rx_flags(m, RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN,
			       RTE_MBUF_F_RX_L4_CKSUM_NONE, what);
	} else {
		CHECK(len <= MSS && !(m->ol_flags & RTE_MBUF_F_RX_LRO),
		      "%s: a segment of %u bytes, LRO flag %d", what, len,
		      !!(m->ol_flags & RTE_MBUF_F_RX_LRO));
	}
	if (off != 0)
		want_flags &= ~RTE_TCP_CWR_FLAG;
	if (off + len != t->total)
		want_flags &= ~(RTE_TCP_FIN_FLAG | RTE_TCP_PSH_FLAG);
	CHECK(th->tcp_flags == want_flags, "%s: TCP flags %#x, want %#x",
	      what, th->tcp_flags, want_flags);
	if (fl->v6) {
		struct rte_ipv6_hdr *h = (void *)(p + RTE_ETHER_HDR_LEN);

		CHECK(rte_be_to_cpu_16(h->payload_len) == TCP_HLEN + len,
		      "%s: IPv6 payload length %u", what,
		      rte_be_to_cpu_16(h->payload_len));
	} else {
		struct rte_ipv4_hdr *h = (void *)(p + RTE_ETHER_HDR_LEN);

		CHECK(rte_be_to_cpu_16(h->total_length) ==
		      sizeof(*h) + TCP_HLEN + len, "%s: IPv4 length %u", what,
		      rte_be_to_cpu_16(h->total_length));
		CHECK(rte_be_to_cpu_16(h->packet_id) == t->ip_id,
		      "%s: IPv4 id %u, want %u", what,
		      rte_be_to_cpu_16(h->packet_id), t->ip_id);
		ck = h->hdr_checksum;
		h->hdr_checksum = 0;
		CHECK(rte_ipv4_cksum(h) == ck, "%s: IPv4 header checksum %#x, "
		      "want %#x", what, ck, rte_ipv4_cksum(h));
		h->hdr_checksum = ck;
		t->ip_id += nseg;
	}
	/* LRO: blank, the pseudo-header sum with this packet's length. */
	ck = th->cksum;
	CHECK(ck == (t->lro ? pseudo(p, fl, 0) : l4_full(p, fl)),
	      "%s: TCP checksum %#x", what, ck);
	t->got += len;
	t->pkts++;
}

/* One TSO frame of payload bytes out, its payload back in order. */
static void
tso_one(const struct flow *fl, uint32_t payload, uint32_t seq, bool lro)
{
	static uint8_t f[MAX_FRAME];
	uint32_t hlen = RTE_ETHER_HDR_LEN + l3_len(fl) + TCP_HLEN;
	struct tso_rx t = {
		.fl = fl, .isn = 0xfffff000u + seq, .total = payload,
		.ip_id = (uint16_t)(seq * 100), .lro = lro,
		.flags = RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG |
			 RTE_TCP_FIN_FLAG | RTE_TCP_CWR_FLAG,
	};
	struct rte_mbuf *m;
	char what[64];

	build(f, fl, hlen + payload, seq, t.isn, t.flags);
	/* DPDK's TSO: pseudo-header sum without the length, IP sum 0. */
	m = mbuf_from(f, hlen + payload);
	m->l2_len = RTE_ETHER_HDR_LEN;
	m->l3_len = l3_len(fl);
	m->l4_len = TCP_HLEN;
	m->tso_segsz = MSS;
	m->ol_flags = RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_TCP_CKSUM |
		      (fl->v6 ? RTE_MBUF_F_TX_IPV6 :
		       RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM);
	*rte_pktmbuf_mtod_offset(m, uint16_t *, hlen - TCP_HLEN +
				 offsetof(struct rte_tcp_hdr, cksum)) =
		pseudo(f, fl, RTE_MBUF_F_TX_TCP_SEG);
	if (!fl->v6)
		rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *,
			RTE_ETHER_HDR_LEN)->hdr_checksum = 0;
	snprintf(what, sizeof(what), "%s TSO %u bytes", fl->name, payload);
	send_one(m, what);
	while (t.got < t.total) {
		m = rx_one(1, WAIT_MS);
		REQUIRE(m != NULL, "%s: %u of %u bytes back", what, t.got,
			t.total);
		tso_check(&t, m, seq, what);
		rte_pktmbuf_free(m);
	}
	printf("tso: %s in %u packets\n", what, t.pkts);
	CHECK(lro || t.pkts == (payload + MSS - 1) / MSS,
	      "%s: %u segments", what, t.pkts);
}

void
mode_tso(int argc, char **argv)
{
	/* 37000: a part of 25 segments, then one of one (no GSO slot) */
	static const uint32_t payloads[] = { 100, MSS, 20000, 37000, 65000 };
	bool lro = argc > 0 && atoi(argv[0]) != 0;
	uint64_t rx = RTE_ETH_RX_OFFLOAD_SCATTER;
	unsigned int i, f, seq = 0;

	REQUIRE(tx_capa() & RTE_ETH_TX_OFFLOAD_TCP_TSO, "TSO not offered");
	if (lro)
		rx |= RTE_ETH_RX_OFFLOAD_TCP_LRO |
		      RTE_ETH_RX_OFFLOAD_TCP_CKSUM |
		      RTE_ETH_RX_OFFLOAD_UDP_CKSUM;
	setup(rx, RTE_ETH_TX_OFFLOAD_TCP_TSO | RTE_ETH_TX_OFFLOAD_MULTI_SEGS |
	      RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_TCP_CKSUM);
	for (f = 0; f < RTE_DIM(flows); f++) {
		if (flows[f].proto != IPPROTO_TCP)
			continue;
		for (i = 0; i < RTE_DIM(payloads); i++)
			tso_one(&flows[f], payloads[i], seq++, lro);
	}
	CHECK(xstats_sum("_errors") == 0, "errors counted");
	CHECK(xstats_sum("tx_q0_tso") == seq, "tx_q0_tso %" PRIu64 ", want %u",
	      xstats_sum("tx_q0_tso"), seq);
	CHECK(!lro || xstats_sum("rx_q0_lro") != 0, "no LRO packet counted");
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
}

static uint16_t
mtu_get(void)
{
	uint16_t mtu = 0;

	REQUIRE(rte_eth_dev_get_mtu(port, &mtu) == 0, "get mtu");
	return mtu;
}

/* A frame of len bytes out: echoed, or dropped and counted. */
static void
mtu_send(uint32_t len, bool fits)
{
	static uint8_t f[MAX_FRAME];
	struct rte_eth_stats st;
	struct rte_mbuf *m;
	char what[64];

	snprintf(what, sizeof(what), "a frame of %u bytes", len);
	build(f, &flows[1], len, len, 0, 0);
	send_one(mbuf_from(f, len), what);
	m = rx_one(1, fits ? WAIT_MS : 300);
	CHECK((m != NULL) == fits, "%s %s", what,
	      fits ? "did not come back" : "went out");
	if (m != NULL)
		same(f, m, len, what);
	rte_pktmbuf_free(m);
	REQUIRE(rte_eth_stats_get(port, &st) == 0, "stats");
	CHECK(st.oerrors == !fits, "%s: oerrors %" PRIu64, what, st.oerrors);
	rte_eth_stats_reset(port);
}

void
mode_mtu(int argc, char **argv)
{
	uint16_t vif = argc > 0 ? atoi(argv[0]) : 1500;
	uint16_t max = RTE_MIN(vif, 9000), mtu;
	struct rte_eth_conf conf = { 0 };
	int rc;

	CHECK(mtu_get() == vif, "MTU %u before configure, want the vif's %u",
	      mtu_get(), vif);
	/* ethdev's default (0) is the vif's MTU, when frames of it fit. */
	conf.rxmode.offloads = RTE_ETH_RX_OFFLOAD_SCATTER;
	port_setup_conf(1, &conf);
	CHECK(mtu_get() == max, "MTU %u with SCATTER, want %u", mtu_get(),
	      max);
	conf.rxmode.offloads = 0;
	port_setup_conf(1, &conf);
	mtu = RTE_MIN(max, (uint16_t)RTE_ETHER_MTU);
	CHECK(mtu_get() == mtu, "MTU %u without SCATTER, want %u", mtu_get(),
	      mtu);
	/* Over the vif's: refused, at configure as at set_mtu. */
	if (max < RTE_ETHER_MTU) {
		conf.rxmode.mtu = max + 1;
		rc = rte_eth_dev_configure(port, 1, 1, &conf);
		CHECK(rc == -EINVAL, "configure MTU %u: %d", max + 1, rc);
		conf.rxmode.mtu = 0;
		port_setup_conf(1, &conf);
	}
	conf.rxmode.offloads = RTE_ETH_RX_OFFLOAD_SCATTER;
	conf.txmode.offloads = RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	port_setup_conf(1, &conf);
	rc = rte_eth_dev_set_mtu(port, max + 1);
	CHECK(rc == -EINVAL, "set MTU %u over the vif's: %d", max + 1, rc);
	REQUIRE(rte_eth_dev_set_mtu(port, 1000) == 0, "set MTU 1000");
	port_start();
	/* The bound counts a VLAN tag in. */
	mtu_send(1000 + RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN, true);
	mtu_send(1000 + RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN + 1, false);
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
	printf("mtu: the vif's %u is the default and the bound\n", vif);
}
