/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * netfront_tx_burst and netfront_tx_reclaim against a backend whose
 * answers the input writes. The backend checks what the driver posts as
 * xensim's verifying netback does: a request id is unique among those in
 * flight, a copy request uses its own id's block, a packet arrives as the
 * application sent it, and a buffer does not change between the request
 * and its response (no reuse before the response). Every packet is
 * well-formed per netif.h: its first slot's size is at least the rest's,
 * it has at most 18 data slots, each within its block or page; extra-info
 * slots follow a packet's first request with extra_info: a GSO one as the
 * backend offers it, MCAST_ADD/DEL on a dummy request. An offloaded
 * packet arrives with csum_blank and its IPv4 header sum filled in; a TSO
 * packet as parts, one after another, whose payloads are the packet's and
 * whose headers are rewritten as Linux's GSO rewrites a segment's. The
 * backend answers extra-info slots with NULL: the driver's count of them
 * and of ring slots in flight matches, and a backend that keeps to the
 * protocol never stops the port. The multicast requests keep the
 * backend's list the driver's and, once synced, the application's.
 *
 * Input: header, then steps until the input ends.
 *   header: fq_cfg_parse (fuzz_queues.h): u8 flags, u16 mtu, with flags
 *           bit 7: u8 offloads (the backend's feature-gso-tcpv4/v6,
 *           -ipv6-csum-offload, -multicast-control, ...), u16 (RX only)
 *   step:   u8 op, by op % 6:
 *     0 send:     u8 count, per packet u16 length and u8 segs: bits 0-6
 *                 segments (1 + that % 3, more if the length needs), bit 7
 *                 offloads follow: u8 ol (bits 0-2 TX_IPV4, TX_IPV6,
 *                 TX_IP_CKSUM, bits 3-4 L4: none, TCP, SCTP, UDP, bit 5
 *                 TCP_SEG, bit 6 the length + 64 KiB, bit 7 a u8 follows:
 *                 one more ol_flags bit, by number modulo 61), u8 l2_len
 *                 (bit 7: raw IP headers, else version, IHL and protocol
 *                 are those of a TCP or UDP packet), u16 l3_len, u8
 *                 l4_len, u16 tso_segsz. Without offloads the length is
 *                 modulo the largest frame + 64, with them at most
 *                 NETFRONT_MAX_GSO_LEN + 64.
 *     1 forward:  u8 count, u16 length: the backend fills that many RX
 *                 pages, the application sends what it receives (in
 *                 place when trusted)
 *     2 answer:   u8 slots (low 5 bits), u8 rsp_prod (as in fuzz_rx.c),
 *                 per slot u8 sctl (bit 0: a raw u16 id follows, else the
 *                 (sctl >> 1)th request in flight) and u8 status
 *                 (0xf0 ERROR, 0xf1 DROPPED, 0xf2 NULL: the answer of an
 *                 extra-info slot, whatever the id, 0xff a raw s16
 *                 follows, else OKAY)
 *     3 reclaim
 *     4 multicast: u8 count (modulo 66), per address u8: 01:00:5e:00:00:x,
 *                 but 0xfe a unicast and 0xff the broadcast address: the
 *                 list set_mc_addr_list gets
 *     5 cleanup:  tx_done_cleanup on queue 0: the multicast list to the
 *                 backend, then reclaim
 * At the end a well-formed backend answers everything: every id and ring
 * slot is free again unless the port stopped, and every mbuf is back.
 */
#include <string.h>

#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include "fuzz.h"
#include "fuzz_queues.h"

#define TX_BURST_MAX	16
#define TX_STEPS_MAX	64
/* Serials an input may create: a packet per burst slot and step. */
#define TX_SERIALS	(TX_BURST_MAX * TX_STEPS_MAX)
#define TX_ROOM		(RTE_MBUF_DEFAULT_BUF_SIZE - RTE_PKTMBUF_HEADROOM)
/* An offloaded packet: a little over what TSO takes. */
#define TX_MAX_LEN	(NETFRONT_MAX_GSO_LEN + 64)
#define TX_CSUM_FLAGS	(NETTXF_csum_blank | NETTXF_data_validated)

struct inflight {
	uint16_t id;
	const uint8_t *buf;	/* what the request lets the backend read */
	uint32_t len;
	uint32_t crc;
};

/* A packet the application sent, by serial. */
struct sent {
	uint32_t len;
	uint64_t ol_flags;
	uint16_t l2_len, l3_len, l4_len, tso_segsz;
	bool raw_hdr;		/* IP header fields as the pattern has them */
};

static struct sent sent[TX_SERIALS];
/* The packet being checked, its slots put together; what it should be. */
static uint8_t pkt[UINT16_MAX + 1];
static uint8_t want[UINT16_MAX + 1];

static struct {
	struct inflight fl[NET_TX_RING_SIZE];
	unsigned int nfl;
	/* The packet being taken: its slots so far, their room. */
	const uint8_t *seg[NETFRONT_MAX_SLOTS];
	uint16_t seg_size[NETFRONT_MAX_SLOTS];
	uint16_t seg_room[NETFRONT_MAX_SLOTS];
	unsigned int nseg;
	uint16_t flags;			/* of its first request */
	netif_extra_info_t gso;		/* its GSO extra, or type NONE */
	/* A TSO packet whose parts are arriving: payload seen so far. */
	uint32_t tso_serial;
	uint32_t tso_off;
	unsigned int extras;		/* taken, no NULL written for them */
	uint32_t serial;
	/* The backend's multicast list, and the last one the app set. */
	struct rte_ether_addr mc[NETFRONT_MAX_MCAST];
	unsigned int nmc;
	struct rte_ether_addr app[NETFRONT_MAX_MCAST];
	unsigned int napp;
	/* The backend answered what it did not see: no more exact checks. */
	bool lost;
	/* It broke the protocol: the port may stop. */
	bool hostile;
} be;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fq_init((*argv)[0]);
	return 0;
}

static inline void
put(uint8_t *p, uint32_t off, uint32_t n, uint32_t at, uint8_t v)
{
	if (at - off < n)
		p[at - off] = v;
}

/*
 * Bytes off..off+n-1 of the packet sent under serial s: a pattern only
 * that serial makes, but for an offloaded one the IP header's version,
 * IHL and protocol (TCP, or UDP as its L4 flag says) unless it asked for
 * raw headers; first of all the serial.
 */
static FZ_NO_COVERAGE void
fill(uint8_t *p, uint32_t off, uint32_t n, uint32_t s)
{
	const struct sent *d = &sent[s];
	uint8_t proto = (d->ol_flags & RTE_MBUF_F_TX_L4_MASK) ==
			RTE_MBUF_F_TX_UDP_CKSUM ? IPPROTO_UDP : IPPROTO_TCP;
	uint32_t i, ip = d->l2_len;

	for (i = off; i < off + n; i++)
		p[i - off] = (uint8_t)(s * 13 + i * 7 + (i >> 8));
	if (!d->raw_hdr && (d->ol_flags & RTE_MBUF_F_TX_IPV4)) {
		put(p, off, n, ip, 0x40 | ((d->l3_len >> 2) & 0xf));
		put(p, off, n, ip + 9, proto);
	} else if (!d->raw_hdr && (d->ol_flags & RTE_MBUF_F_TX_IPV6)) {
		put(p, off, n, ip, 0x60);
		put(p, off, n, ip + 6, proto);
	}
	put(p, off, n, 0, (uint8_t)s);
	put(p, off, n, 1, (uint8_t)(s >> 8));
}

static FZ_NO_COVERAGE uint32_t
crc(const struct inflight *f)
{
	return rte_hash_crc(f->buf, f->len, 0);
}

/* The first byte where a differs from b, or n. */
static uint32_t
first_diff(const uint8_t *a, const uint8_t *b, uint32_t n)
{
	uint32_t i = 0;

	if (memcmp(a, b, n) == 0)
		return n;
	while (a[i] == b[i])
		i++;
	return i;
}

/* A field the driver may rewrite: what arrived is what is expected. */
static void
keep(uint32_t at, uint32_t n, uint32_t total)
{
	for (; n > 0 && at < total; n--, at++)
		want[at] = pkt[at];
}

static uint32_t
new_serial(const struct sent *s)
{
	FZ_CHECK(be.serial < TX_SERIALS, "out of serials");
	sent[be.serial] = *s;
	return be.serial++;
}

static uint16_t
be16(const uint8_t *p)
{
	return p[0] << 8 | p[1];
}

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)be16(p) << 16 | be16(p + 2);
}

/* The header fields a TSO part rewrites (tx_tso_headers). */
static void
keep_tso_fields(const struct sent *p, uint32_t total)
{
	uint32_t ip = p->l2_len, th = p->l2_len + p->l3_len;

	if (p->ol_flags & RTE_MBUF_F_TX_IPV4) {
		keep(ip + 2, 4, total);		/* total length, id */
		keep(ip + 10, 2, total);	/* checksum */
	} else {
		keep(ip + 4, 2, total);		/* payload length */
	}
	keep(th + 4, 4, total);			/* sequence number */
	keep(th + 13, 1, total);		/* flags */
	keep(th + 16, 2, total);		/* checksum */
}

/*
 * The fields of a part's headers, from the original's: lengths, IPv4 id
 * and sum, sequence number, flags, and the pseudo-header sum with the
 * TCP length. IPv4 only when the TCP header does not overlap it.
 */
static void
check_tso_fields(uint32_t s, uint32_t off, uint32_t len, bool last)
{
	const struct sent *p = &sent[s];
	const uint8_t *ip = pkt + p->l2_len, *th = ip + p->l3_len;
	bool v4 = p->ol_flags & RTE_MBUF_F_TX_IPV4;
	uint32_t tcp_len = p->l4_len + len;
	uint8_t orig[128 + 512 + 256], flags, ph[40] = { 0 };
	const uint8_t *oth = orig + p->l2_len + p->l3_len;
	uint16_t ck;

	if (v4 && p->l3_len < sizeof(struct rte_ipv4_hdr))
		return;
	fill(orig, 0, p->l2_len + p->l3_len + p->l4_len, s);
	if (v4) {
		FZ_CHECK(be16(ip + 2) == p->l3_len + tcp_len &&
			 be16(ip + 4) == (uint16_t)(be16(orig + p->l2_len + 4) +
						    off / p->tso_segsz) &&
			 rte_raw_cksum(ip, p->l3_len) == 0xffff,
			 "packet %u at %u: IPv4 length %u, id %u or sum", s,
			 off, be16(ip + 2), be16(ip + 4));
		/* src, dst, 0, protocol, TCP length */
		memcpy(ph, ip + 12, 8);
		ph[9] = ip[9];
		ph[10] = tcp_len >> 8;
		ph[11] = tcp_len & 0xff;
		ck = rte_raw_cksum(ph, 12);
	} else {
		FZ_CHECK(be16(ip + 4) == tcp_len, "packet %u at %u: IPv6 "
			 "payload length %u", s, off, be16(ip + 4));
		/* src, dst, TCP length, 0, TCP (whatever the header says) */
		memcpy(ph, ip + 8, 32);
		ph[34] = tcp_len >> 8;
		ph[35] = tcp_len & 0xff;
		ph[39] = IPPROTO_TCP;
		ck = rte_raw_cksum(ph, 40);
	}
	FZ_CHECK(be32(th + 4) == be32(oth + 4) + off, "packet %u at %u: "
		 "sequence %u", s, off, be32(th + 4));
	flags = oth[13] & ~(off != 0 ? RTE_TCP_CWR_FLAG : 0) &
		~(last ? 0 : RTE_TCP_FIN_FLAG | RTE_TCP_PSH_FLAG);
	FZ_CHECK(th[13] == flags, "packet %u at %u: TCP flags %#x, not %#x",
		 s, off, th[13], flags);
	/* As the IPv4 header says its own length: it is the pseudo-header's
	 * source. */
	if (!v4 || (orig[p->l2_len] & 0xf) * 4 == p->l3_len)
		FZ_CHECK(memcmp(th + 16, &ck, 2) == 0, "packet %u at %u: not "
			 "the pseudo-header sum", s, off);
}

/*
 * A part of TSO packet s: the next of its payload, headers rewritten; a
 * GSO extra unless it is one segment, as Linux drops a GSO packet of one.
 */
static void
check_tso_part(uint32_t s, uint32_t total)
{
	const netif_extra_info_t *g = &be.gso;
	const struct sent *p = &sent[s];
	uint32_t hlen, payload, off, len, i;
	bool last;

	FZ_CHECK((be.flags & TX_CSUM_FLAGS) == TX_CSUM_FLAGS,
		 "packet %u: a TSO part without csum_blank", s);
	if (be.tso_off != 0)
		FZ_CHECK(s == be.tso_serial, "TSO packet %u cut short by %u",
			 be.tso_serial, s);
	hlen = p->l2_len + p->l3_len + p->l4_len;
	off = be.tso_off;
	FZ_CHECK(p->len > hlen && total > hlen &&
		 total - hlen <= p->len - hlen - off,
		 "packet %u: a %u-byte part at %u", s, total, off);
	payload = p->len - hlen;
	len = total - hlen;
	last = off + len == payload;
	FZ_CHECK(last || len % p->tso_segsz == 0,
		 "packet %u: a %u-byte part of MSS %u", s, len, p->tso_segsz);
	FZ_CHECK((g->type == XEN_NETIF_EXTRA_TYPE_GSO) ==
		 (len > p->tso_segsz), "packet %u: a %u-byte part of MSS %u "
		 "%s a GSO extra", s, len, p->tso_segsz,
		 g->type == XEN_NETIF_EXTRA_TYPE_GSO ? "with" : "without");
	if (g->type == XEN_NETIF_EXTRA_TYPE_GSO)
		FZ_CHECK(g->u.gso.size == p->tso_segsz &&
			 g->u.gso.type == (p->ol_flags & RTE_MBUF_F_TX_IPV4 ?
					   XEN_NETIF_GSO_TYPE_TCPV4 :
					   XEN_NETIF_GSO_TYPE_TCPV6),
			 "packet %u: GSO extra size %u type %u", s,
			 g->u.gso.size, g->u.gso.type);
	/* The original's headers and the next of its payload. */
	fill(want, 0, hlen, s);
	fill(want + hlen, hlen + off, len, s);
	keep_tso_fields(p, total);
	i = first_diff(pkt, want, total);
	FZ_CHECK(i == total, "packet %u at %u: %s byte %u changed", s, off,
		 i < hlen ? "header" : "payload",
		 i < hlen ? i : i - hlen + off);
	check_tso_fields(s, off, len, last);
	be.tso_serial = s;
	be.tso_off = last ? 0 : off + len;
}

/* The packet whose last slot was just taken, as the backend copies it. */
static void
check_packet(void)
{
	uint32_t total = be.seg_size[0], rest = 0, pos = 0, s, ip, i;
	const struct sent *p;
	bool ip_sum;
	unsigned int k;

	for (k = 1; k < be.nseg; k++)
		rest += be.seg_size[k];
	FZ_CHECK(rest < total, "slots hold %u bytes of a %u-byte packet",
		 rest, total);
	FZ_CHECK(total - rest <= be.seg_room[0],
		 "first slot: %u bytes in %u", total - rest, be.seg_room[0]);
	for (k = 0; k < be.nseg; k++) {
		uint32_t n = k == 0 ? total - rest : be.seg_size[k];

		memcpy(pkt + pos, be.seg[k], n);
		pos += n;
	}
	/* Its first bytes say which packet it is, or is a part of. */
	if (total < 2) {
		FZ_CHECK(be.gso.type == XEN_NETIF_EXTRA_TYPE_NONE &&
			 be.tso_off == 0, "a %u-byte packet", total);
		return;
	}
	s = pkt[0] | pkt[1] << 8;
	FZ_CHECK(s < be.serial, "a packet not sent, serial %u", s);
	p = &sent[s];
	if (p->ol_flags & RTE_MBUF_F_TX_TCP_SEG) {
		check_tso_part(s, total);
		return;
	}
	FZ_CHECK(be.gso.type == XEN_NETIF_EXTRA_TYPE_NONE,
		 "a GSO extra on packet %u, not sent for TSO", s);
	FZ_CHECK(be.tso_off == 0, "TSO packet %u cut short",
		 be.tso_serial);
	FZ_CHECK(total <= fq_max_frame(), "a %u-byte frame sent", total);
	FZ_CHECK(p->len == total, "packet %u arrived with %u bytes", s,
		 total);
	FZ_CHECK((be.flags & TX_CSUM_FLAGS) ==
		 (p->ol_flags & RTE_MBUF_F_TX_L4_MASK ? TX_CSUM_FLAGS : 0),
		 "packet %u: flags %#x", s, be.flags);
	/* The IPv4 header sum, filled in: all else as sent. */
	ip_sum = p->ol_flags & RTE_MBUF_F_TX_IP_CKSUM;
	ip = p->l2_len;
	fill(want, 0, total, s);
	if (ip_sum)
		keep(ip + 10, 2, total);
	i = first_diff(pkt, want, total);
	FZ_CHECK(i == total, "packet %u: byte %u changed", s, i);
	if (ip_sum && p->l3_len >= 12)
		FZ_CHECK(ip + p->l3_len <= total &&
			 rte_raw_cksum(pkt + ip, p->l3_len) == 0xffff,
			 "packet %u: IPv4 header sum", s);
}

static unsigned int
mc_find(const struct rte_ether_addr *list, unsigned int n,
	const struct rte_ether_addr *a)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (rte_is_same_ether_addr(&list[i], a))
			break;
	return i;
}

/* As Linux netback: the list holds each address once, 64 at most. */
static void
backend_mcast(const netif_extra_info_t *ex)
{
	const struct rte_ether_addr *a = (const void *)ex->u.mcast.addr;
	unsigned int i = mc_find(be.mc, be.nmc, a);

	FZ_CHECK(rte_is_multicast_ether_addr(a) &&
		 !rte_is_broadcast_ether_addr(a), "a multicast request for "
		 "a unicast or broadcast address");
	if (ex->type == XEN_NETIF_EXTRA_TYPE_MCAST_ADD) {
		FZ_CHECK(i == be.nmc && be.nmc < NETFRONT_MAX_MCAST,
			 "MCAST_ADD: %s", i < be.nmc ? "on the list already" :
			 "the list is full");
		be.mc[be.nmc++] = *a;
	} else {
		FZ_CHECK(i < be.nmc, "MCAST_DEL of an address not listed");
		be.mc[i] = be.mc[--be.nmc];
	}
}

/*
 * The extra-info slots after a packet's first request, posted with it.
 * True if they make it a multicast request.
 */
static bool
take_extras(void)
{
	const struct netfront_backend_features *f = &fq.ad.feat;
	netif_tx_back_ring_t *b = &fq.txb;
	netif_extra_info_t ex;
	unsigned int seen = 0;

	do {
		FZ_CHECK(b->req_cons != b->sring->req_prod,
			 "an extra-info slot not posted with its request");
		ex = *(netif_extra_info_t *)RING_GET_REQUEST(b, b->req_cons++);
		be.extras++;
		FZ_CHECK(ex.type != XEN_NETIF_EXTRA_TYPE_NONE &&
			 ex.type < XEN_NETIF_EXTRA_TYPE_MAX &&
			 ex.type != XEN_NETIF_EXTRA_TYPE_HASH &&
			 !(seen & 1u << ex.type), "extra-info type %u",
			 ex.type);
		seen |= 1u << ex.type;
		if (ex.type != XEN_NETIF_EXTRA_TYPE_GSO) {
			FZ_CHECK(f->mcast_ctrl, "multicast request, but no "
				 "feature-multicast-control");
			backend_mcast(&ex);
			continue;
		}
		FZ_CHECK(f->sg && ex.u.gso.size != 0 &&
			 ((ex.u.gso.type == XEN_NETIF_GSO_TYPE_TCPV4 &&
			   f->gso_tcpv4) ||
			  (ex.u.gso.type == XEN_NETIF_GSO_TYPE_TCPV6 &&
			   f->gso_tcpv6)) &&
			 ex.u.gso.pad == 0 && ex.u.gso.features == 0,
			 "GSO extra: size %u type %u, the backend offers sg %d "
			 "tcpv4 %d tcpv6 %d", ex.u.gso.size, ex.u.gso.type,
			 f->sg, f->gso_tcpv4, f->gso_tcpv6);
		be.gso = ex;
	} while (ex.flags & XEN_NETIF_EXTRA_FLAG_MORE);
	FZ_CHECK(seen == 1u << XEN_NETIF_EXTRA_TYPE_GSO ||
		 !(seen & 1u << XEN_NETIF_EXTRA_TYPE_GSO),
		 "GSO and multicast extras on one request");
	return !(seen & 1u << XEN_NETIF_EXTRA_TYPE_GSO);
}

/* Take every request posted since last time, checking each. */
static void
take_requests(void)
{
	struct netfront_txq *txq = fq.txq;
	netif_tx_back_ring_t *b = &fq.txb;
	const struct netfront_rxpool *pool = fq.rxq->pool;
	unsigned int k;

	while (b->req_cons != b->sring->req_prod &&
	       (int32_t)(b->rsp_prod_pvt - b->req_cons) <= 0) {
		netif_tx_request_t req = *RING_GET_REQUEST(b, b->req_cons++);
		uint8_t *pg = fq_page_of(req.gref);
		struct inflight *f = &be.fl[be.nfl];
		bool mcast = false;

		FZ_CHECK(req.id < NET_TX_RING_SIZE, "request id %u", req.id);
		for (k = 0; !be.lost && k < be.nfl; k++)
			FZ_CHECK(be.fl[k].id != req.id,
				 "id %u posted again while in flight", req.id);
		FZ_CHECK(pg != NULL, "id %u: gref %u was not granted", req.id,
			 req.gref);
		if (be.nseg == 0) {
			be.flags = req.flags;
			be.gso.type = XEN_NETIF_EXTRA_TYPE_NONE;
			if (req.flags & NETTXF_extra_info)
				mcast = take_extras();
		} else {
			FZ_CHECK(!(req.flags & ~NETTXF_more_data),
				 "id %u: flags %#x on a packet's slot %u",
				 req.id, req.flags, be.nseg + 1);
		}
		if (pg >= txq->blk.base && pg < txq->blk.base +
		    NETFRONT_TX_PAGES * NETFRONT_PAGE_SIZE) {
			/* Netback reads no data of a multicast request. */
			FZ_CHECK(mcast || pg + req.offset == txq->blk.base +
				 (size_t)req.id * NETFRONT_TX_BLOCK,
				 "id %u does not use its own block", req.id);
			f->len = mcast ? 0 : NETFRONT_TX_BLOCK;
		} else {
			FZ_CHECK(fq.ad.trusted && pg >= pool->reg.base && !mcast,
				 "id %u: untrusted yet sent in place", req.id);
			f->len = NETFRONT_PAGE_SIZE - req.offset;
		}
		FZ_CHECK(req.offset < NETFRONT_PAGE_SIZE &&
			 (be.nseg == 0 || req.size <= f->len),
			 "id %u: %u bytes at %u", req.id, req.size,
			 req.offset);
		f->id = req.id;
		f->buf = pg + req.offset;
		f->crc = crc(f);
		be.nfl++;
		if (mcast) {
			FZ_CHECK(req.size == 0 &&
				 req.flags == NETTXF_extra_info,
				 "multicast request id %u: %u bytes, flags %#x",
				 req.id, req.size, req.flags);
			continue;
		}
		FZ_CHECK(be.nseg < NETFRONT_MAX_SLOTS, "a packet of %u slots",
			 be.nseg + 1);
		be.seg[be.nseg] = f->buf;
		be.seg_room[be.nseg] = f->len;
		be.seg_size[be.nseg++] = req.size;
		if (req.flags & NETTXF_more_data)
			continue;
		if (!be.lost)
			check_packet();
		be.nseg = 0;
	}
}

/*
 * A response for id; if in flight, its buffer must be as it was posted.
 * NULL answers an extra-info slot, whatever the id.
 */
static void
answer(uint16_t id, int16_t status)
{
	netif_tx_back_ring_t *b = &fq.txb;
	netif_tx_response_t *rsp;
	bool posted = false;
	unsigned int k;

	if (status == NETIF_RSP_NULL && be.extras > 0) {
		be.extras--;
	} else if (status != NETIF_RSP_OKAY && status != NETIF_RSP_ERROR &&
		   status != NETIF_RSP_DROPPED) {
		/* A violation: the driver frees no id for it. */
		be.hostile = true;
	} else {
		for (k = 0; k < be.nfl && !posted; k++) {
			struct inflight *f = &be.fl[k];

			if (f->id != id)
				continue;
			FZ_CHECK(be.lost || crc(f) == f->crc,
				 "id %u: buffer changed before its response",
				 id);
			be.fl[k] = be.fl[--be.nfl];
			posted = true;
		}
		/*
		 * Over a request not taken yet, it is lost to the backend;
		 * for an id not in flight, the driver may free whichever
		 * request has the id when it reads the response.
		 */
		if (b->req_cons != b->sring->req_prod || !posted)
			be.lost = true;
	}
	rsp = RING_GET_RESPONSE(b, b->rsp_prod_pvt++);
	rsp->id = id;
	rsp->status = status;
}

static void
publish(RING_IDX prod)
{
	rte_smp_wmb();	/* responses before the producer index */
	if (prod != fq.txb.rsp_prod_pvt)
		be.lost = true;
	fq.txb.sring->rsp_prod = prod;
}

/* tx_burst; the application frees what it did not take. */
static void
app_send(struct rte_mbuf **pkts, uint16_t n)
{
	struct netfront_txq *txq = fq.txq;
	RING_IDX req_prod = txq->ring.sring->req_prod;
	bool failed = fq.ad.failed;
	uint16_t done = netfront_tx_burst(txq, pkts, n);

	FZ_CHECK(done <= n, "%u of %u sent", done, n);
	if (failed)
		FZ_CHECK(done == 0 && txq->ring.sring->req_prod == req_prod,
			 "a stopped port still sends");
	rte_pktmbuf_free_bulk(pkts + done, n - done);
}

/* A packet as s describes, in nsegs segments of about equal size. */
static struct rte_mbuf *
app_packet(const struct sent *s, unsigned int nsegs)
{
	struct rte_mbuf *head = NULL, *m;
	uint32_t serial = new_serial(s), off = 0;
	unsigned int k;

	for (k = 0; k < nsegs; k++) {
		uint16_t n = s->len / nsegs + (k < s->len % nsegs);

		m = rte_pktmbuf_alloc(fq.txmp);
		FZ_CHECK(m != NULL, "TX mempool empty");
		fill(rte_pktmbuf_mtod(m, uint8_t *), off, n, serial);
		m->data_len = n;
		off += n;
		if (head == NULL) {
			head = m;
		} else {
			rte_pktmbuf_lastseg(head)->next = m;
			head->nb_segs++;
		}
	}
	head->pkt_len = s->len;
	head->ol_flags = s->ol_flags;
	head->l2_len = s->l2_len;
	head->l3_len = s->l3_len;
	head->l4_len = s->l4_len;
	head->tso_segsz = s->tso_segsz;
	return head;
}

/* A packet's offload fields; len is its u16 length. */
static void
parse_offloads(struct fz_in *in, struct sent *s, uint32_t len)
{
	static const uint64_t l4[] = {
		0, RTE_MBUF_F_TX_TCP_CKSUM, RTE_MBUF_F_TX_SCTP_CKSUM,
		RTE_MBUF_F_TX_UDP_CKSUM,
	};
	uint8_t ol = fz_u8(in);

	s->ol_flags = (ol & 1 ? RTE_MBUF_F_TX_IPV4 : 0) |
		      (ol & 2 ? RTE_MBUF_F_TX_IPV6 : 0) |
		      (ol & 4 ? RTE_MBUF_F_TX_IP_CKSUM : 0) |
		      l4[(ol >> 3) & 3] |
		      (ol & 0x20 ? RTE_MBUF_F_TX_TCP_SEG : 0);
	/* Not 61-63: EXTERNAL and INDIRECT are the mbuf's own. */
	if (ol & 0x80)
		s->ol_flags |= 1ull << (fz_u8(in) % 61);
	/* As wide as the mbuf's fields. */
	s->l2_len = fz_u8(in);
	s->raw_hdr = s->l2_len & 0x80;
	s->l2_len &= 0x7f;
	s->l3_len = fz_u16(in) & 0x1ff;
	s->l4_len = fz_u8(in);
	s->tso_segsz = fz_u16(in);
	s->len = RTE_MIN(len + (ol & 0x40 ? 0x10000u : 0), TX_MAX_LEN);
}

static void
op_send(struct fz_in *in)
{
	struct rte_mbuf *pkts[TX_BURST_MAX];
	uint16_t n = 1 + fz_u8(in) % TX_BURST_MAX, i;

	for (i = 0; i < n; i++) {
		struct sent s = { .len = fz_u16(in) };
		uint8_t sc = fz_u8(in);
		unsigned int segs = 1 + (sc & 0x7f) % 3;

		if (sc & 0x80)
			parse_offloads(in, &s, s.len);
		else
			s.len %= fq_max_frame() + 64;
		/* As many segments as asked for and the mbufs' room needs. */
		segs = RTE_MAX(segs, (s.len + TX_ROOM - 1) / TX_ROOM);
		pkts[i] = app_packet(&s, RTE_MIN(segs, RTE_MAX(s.len, 1u)));
	}
	app_send(pkts, n);
}

/* The backend fills RX pages, the application sends what it gets. */
static void
op_forward(struct fz_in *in)
{
	netif_rx_back_ring_t *b = &fq.rxb;
	struct rte_mbuf *pkts[TX_BURST_MAX];
	uint16_t n = 1 + fz_u8(in) % TX_BURST_MAX, i;
	struct sent s = {
		.len = RTE_ETHER_HDR_LEN + fz_u16(in) %
		       (RTE_MIN(fq_max_frame(), NETFRONT_PAGE_SIZE) -
			RTE_ETHER_HDR_LEN + 1),
	};

	for (i = 0; i < n && b->req_cons != b->sring->req_prod; i++) {
		netif_rx_request_t req = *RING_GET_REQUEST(b, b->req_cons++);
		netif_rx_response_t *rsp =
			RING_GET_RESPONSE(b, b->rsp_prod_pvt++);

		fill(fq_page_of(req.gref), 0, s.len, new_serial(&s));
		rsp->id = req.id;
		rsp->offset = 0;
		rsp->flags = 0;
		rsp->status = s.len;
	}
	RING_PUSH_RESPONSES(b);
	n = netfront_rx_burst(fq.rxq, pkts, n);
	app_send(pkts, n);
}

static int16_t
status_of(struct fz_in *in)
{
	switch (fz_u8(in)) {
	case 0xf0:
		return NETIF_RSP_ERROR;
	case 0xf1:
		return NETIF_RSP_DROPPED;
	case 0xf2:
		return NETIF_RSP_NULL;
	case 0xff:
		return (int16_t)fz_u16(in);
	default:
		return NETIF_RSP_OKAY;
	}
}

static void
op_answer(struct fz_in *in)
{
	uint8_t n = fz_u8(in) & 31, pm = fz_u8(in), sc;
	RING_IDX prod;
	uint16_t id;
	unsigned int i;

	take_requests();
	for (i = 0; i < n; i++) {
		sc = fz_u8(in);
		if (sc & 1)
			id = fz_u16(in);
		else if (be.nfl > 0)
			id = be.fl[(sc >> 1) % be.nfl].id;
		else
			id = 0;
		answer(id, status_of(in));
	}
	prod = fq.txb.rsp_prod_pvt;
	if (pm == 0xff)
		prod = fz_u32(in);
	else if (pm >= 0xf0)
		prod += pm - 0xf7;
	publish(prod);
}

/* set_mc_addr_list; the backend hears of it from queue 0's TX path. */
static void
op_mcast(struct fz_in *in)
{
	struct rte_ether_addr a[NETFRONT_MAX_MCAST + 1];
	unsigned int n = fz_u8(in) % (NETFRONT_MAX_MCAST + 2), i;

	for (i = 0; i < n; i++) {
		uint8_t v = fz_u8(in);
		struct rte_ether_addr m = {
			{ 0x01, 0x00, 0x5e, 0x00, 0x00, v }
		};

		if (v == 0xff)
			memset(&m, 0xff, sizeof(m));
		else if (v == 0xfe)
			m.addr_bytes[0] = 0x02;
		a[i] = m;
	}
	if (netfront_mcast_set(&fq.dev, a, n) != 0)
		return;
	memcpy(be.app, a, n * sizeof(a[0]));
	be.napp = n;
}

/*
 * Ids are each free or in flight, once; ring slots in flight are ids in
 * flight and extra-info slots not answered. To a backend that keeps to
 * the protocol, the driver counts those as it does: the ones taken, and
 * the NULL answers written that it has not read.
 */
static FZ_NO_COVERAGE void
check_ids(void)
{
	const struct netfront_txq *txq = fq.txq;
	bool free_id[NET_TX_RING_SIZE] = { false };
	unsigned int i, busy = 0, nulls = 0;
	RING_IDX r;

	for (i = 0; i < netfront_idpool_avail(&txq->ids); i++) {
		uint16_t id = txq->ids.free[i];

		FZ_CHECK(id < NET_TX_RING_SIZE && !free_id[id] &&
			 !txq->slot[id].busy, "id %u freed twice", id);
		free_id[id] = true;
	}
	for (i = 0; i < NET_TX_RING_SIZE; i++)
		busy += txq->slot[i].busy;
	FZ_CHECK(busy + netfront_idpool_avail(&txq->ids) == NET_TX_RING_SIZE,
		 "%u ids neither free nor in flight", NET_TX_RING_SIZE - busy -
		 netfront_idpool_avail(&txq->ids));
	for (i = 0; !be.lost && i < be.nfl; i++)
		FZ_CHECK(txq->slot[be.fl[i].id].busy,
			 "id %u freed before its response", be.fl[i].id);
	FZ_CHECK(txq->extras <= NET_TX_RING_SIZE &&
		 txq->ring.req_prod_pvt - txq->ring.rsp_cons ==
		 busy + txq->extras, "%u ring slots in flight, %u ids and %u "
		 "extra-info slots", txq->ring.req_prod_pvt -
		 txq->ring.rsp_cons, busy, txq->extras);
	if (be.lost || be.hostile)
		return;
	FZ_CHECK(!fq.ad.failed, "the port stopped for a backend that keeps "
		 "to the protocol");
	for (r = txq->ring.rsp_cons; r != fq.txb.rsp_prod_pvt; r++)
		nulls += RING_GET_RESPONSE(&fq.txb, r)->status ==
			 NETIF_RSP_NULL;
	FZ_CHECK(txq->extras == be.extras + nulls, "the driver waits for %u "
		 "extra-info answers, %u are due", txq->extras,
		 be.extras + nulls);
}

/* The backend's list is the driver's idea of it; synced, the app's. */
static void
check_mcast(void)
{
	const struct netfront_mcast *mc = &fq.ad.mc;
	unsigned int i;

	/* Some it could not take: responses were written over them. */
	if (fq.txb.req_cons != fq.txb.sring->req_prod)
		return;
	FZ_CHECK(mc->nb_backend == be.nmc, "the backend lists %u multicast "
		 "addresses, the driver thinks %u", be.nmc, mc->nb_backend);
	for (i = 0; i < mc->nb_backend; i++)
		FZ_CHECK(mc_find(be.mc, be.nmc, &mc->backend[i]) < be.nmc,
			 "multicast address %u not on the backend's list", i);
	if (mc->synced != mc->gen)
		return;
	for (i = 0; i < be.napp; i++)
		FZ_CHECK(mc_find(be.mc, be.nmc, &be.app[i]) < be.nmc,
			 "synced, yet address %u of the app's list missing", i);
	for (i = 0; i < be.nmc; i++)
		FZ_CHECK(mc_find(be.app, be.napp, &be.mc[i]) < be.napp,
			 "synced, yet the backend lists an address more");
}

/* A well-formed answer to everything: then every id is free. */
static void
drain(void)
{
	struct netfront_txq *txq = fq.txq;

	take_requests();
	while (be.nfl > 0)
		answer(be.fl[0].id, NETIF_RSP_OKAY);
	while (be.extras > 0)
		answer(0, NETIF_RSP_NULL);
	publish(fq.txb.rsp_prod_pvt);
	netfront_tx_reclaim(txq);
	check_ids();
	if (!fq.ad.failed && !be.lost)
		FZ_CHECK(netfront_idpool_avail(&txq->ids) == NET_TX_RING_SIZE &&
			 txq->zc_held == 0 && txq->extras == 0 &&
			 be.tso_off == 0, "%u ids, %u pages, %u extra-info "
			 "slots still held, TSO packet at %u",
			 NET_TX_RING_SIZE - netfront_idpool_avail(&txq->ids),
			 txq->zc_held, txq->extras, be.tso_off);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	struct fq_cfg cfg;
	unsigned int i;

	if (fq_cfg_parse(&cfg, &in) != 0)
		return 0;
	memset(&be, 0, sizeof(be));
	fq_start(&cfg);
	for (i = 0; in.n > 0 && i < TX_STEPS_MAX; i++) {
		switch (fz_u8(&in) % 6) {
		case 0:
			op_send(&in);
			break;
		case 1:
			op_forward(&in);
			break;
		case 2:
			op_answer(&in);
			break;
		case 3:
			netfront_tx_reclaim(fq.txq);
			break;
		case 4:
			op_mcast(&in);
			break;
		default:
			/* As tx_done_cleanup on queue 0. */
			if (!fq.ad.failed) {
				netfront_mcast_sync(fq.txq);
				netfront_tx_reclaim(fq.txq);
			}
			break;
		}
		/* The backend takes requests as soon as they are pushed. */
		take_requests();
		check_ids();
		check_mcast();
	}
	drain();
	fq_stop();
	fq_check_leaks();
	return 0;
}
