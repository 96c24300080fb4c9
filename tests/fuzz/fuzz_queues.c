/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include <rte_malloc.h>
#include <rte_mempool.h>

#include "xenplat.h"
#include "fuzz.h"
#include "fuzz_queues.h"

struct fq fq;

void
fq_init(const char *prog)
{
	char err[128];

	fz_eal_init(prog);
	fq.xp = xenplat_open("fuzz", err, sizeof(err));
	FZ_CHECK(fq.xp != NULL, "%s", err);
	/* No per-lcore cache: the leak check counts every mbuf. */
	fq.rx_big = rte_pktmbuf_pool_create("fz_rx_big", FQ_RX_MBUFS, 0, 0,
					    FQ_RX_BIG_ROOM, SOCKET_ID_ANY);
	fq.rx_small = rte_pktmbuf_pool_create("fz_rx_small", FQ_RX_MBUFS, 0,
					      0, FQ_RX_SMALL_ROOM,
					      SOCKET_ID_ANY);
	fq.txmp = rte_pktmbuf_pool_create("fz_tx", FQ_TX_MBUFS, 0, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE,
					  SOCKET_ID_ANY);
	fq.rxq = rte_zmalloc("fz_rxq", sizeof(*fq.rxq), RTE_CACHE_LINE_SIZE);
	fq.txq = rte_zmalloc("fz_txq", sizeof(*fq.txq), RTE_CACHE_LINE_SIZE);
	FZ_CHECK(fq.rx_big != NULL && fq.rx_small != NULL &&
		 fq.txmp != NULL && fq.rxq != NULL && fq.txq != NULL,
		 "no memory for the queues");
}

int
fq_cfg_parse(struct fq_cfg *cfg, struct fz_in *in)
{
	static const RING_IDX bases[] = {
		0, UINT32_MAX - 255, UINT32_MAX - 1023, 1u << 31,
	};
	uint16_t max, mtu, lro = 0;
	uint8_t flags, offl = 0;

	if (in->n < FQ_HEADER_LEN)
		return -1;
	flags = fz_u8(in);
	mtu = fz_u16(in);
	if (flags & 0x80) {
		offl = fz_u8(in);
		lro = fz_u16(in);
	}

	memset(cfg, 0, sizeof(*cfg));
	cfg->trusted = flags & 1;
	cfg->sg = flags & 4;
	cfg->base = bases[(flags >> 4) & 3];
	cfg->rx_pages = flags & 0x40 ? FQ_RX_PAGES_MAX : NET_RX_RING_SIZE;
	/* As netfront_configure and rx_offloads_choose allow and set them. */
	cfg->rx_gso = offl & 4;
	cfg->rx_sg = (flags & 2) || cfg->rx_gso;
	cfg->rx_csum = (offl & 1) || cfg->rx_gso;
	cfg->rx_ip_csum = offl & 2;
	cfg->max_lro_len = lro != 0 ? lro : NETFRONT_MAX_GSO_LEN;
	cfg->gso_tcpv4 = offl & 0x10;
	cfg->gso_tcpv6 = offl & 0x20;
	cfg->ipv6_csum = offl & 0x40;
	cfg->mcast_ctrl = offl & 0x80;
	/* Untrusted without SCATTER, a frame must fit one mbuf. */
	cfg->small = (flags & 8) && (cfg->rx_sg || cfg->trusted);
	/* What mtu_set and rx_frame_fits let an application configure. */
	max = cfg->sg ? NETFRONT_MAX_MTU_SG : NETFRONT_MAX_MTU;
	if (!cfg->rx_sg)
		max = RTE_MIN(max, NETFRONT_PAGE_SIZE - NETFRONT_FRAME_OVERHEAD);
	cfg->mtu = RTE_ETHER_MIN_MTU + mtu % (max - RTE_ETHER_MIN_MTU + 1);
	return 0;
}

uint32_t
fq_max_frame(void)
{
	return fq.data.mtu + NETFRONT_FRAME_OVERHEAD;
}

/* Move every index of both rings by base, as if they had wrapped there. */
static void
rebase(RING_IDX base)
{
	netif_rx_front_ring_t *rx = &fq.rxq->ring;
	netif_tx_front_ring_t *tx = &fq.txq->ring;

	rx->req_prod_pvt += base;
	rx->rsp_cons += base;
	rx->sring->req_prod += base;
	rx->sring->rsp_prod += base;
	rx->sring->req_event += base;
	rx->sring->rsp_event += base;
	tx->req_prod_pvt += base;
	tx->rsp_cons += base;
	tx->sring->req_prod += base;
	tx->sring->rsp_prod += base;
	tx->sring->req_event += base;
	tx->sring->rsp_event += base;
	fq.txq->pushed += base;
}

void
fq_start(const struct fq_cfg *cfg)
{
	struct netfront_adapter *ad = &fq.ad;

	memset(ad, 0, sizeof(*ad));
	memset(&fq.data, 0, sizeof(fq.data));
	memset(fq.rxq, 0, sizeof(*fq.rxq));
	memset(fq.txq, 0, sizeof(*fq.txq));
	fq.dev.data = &fq.data;
	fq.data.mtu = cfg->mtu;
	fq.data.nb_rx_queues = 1;
	fq.data.nb_tx_queues = 1;
	fq.rxqs[0] = fq.rxq;
	fq.txqs[0] = fq.txq;
	fq.data.rx_queues = fq.rxqs;
	fq.data.tx_queues = fq.txqs;
	fq.data.dev_private = ad;
	if (cfg->rx_sg)
		fq.data.dev_conf.rxmode.offloads = RTE_ETH_RX_OFFLOAD_SCATTER;
	if (cfg->rx_gso) {
		fq.data.dev_conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_TCP_LRO;
		fq.data.dev_conf.rxmode.max_lro_pkt_size = cfg->max_lro_len;
	}
	ad->dev = &fq.dev;
	ad->xp = fq.xp;
	ad->rx_pages = cfg->rx_pages;
	snprintf(ad->args.xensim, sizeof(ad->args.xensim), "fuzz");
	ad->trusted = cfg->trusted;
	ad->rx_sg = cfg->rx_sg;
	ad->rx_csum = cfg->rx_csum;
	ad->rx_ip_csum = cfg->rx_ip_csum;
	ad->rx_gso = cfg->rx_gso;
	ad->max_lro_len = cfg->max_lro_len;
	ad->feat.sg = cfg->sg;
	ad->feat.gso_tcpv4 = cfg->gso_tcpv4;
	ad->feat.gso_tcpv6 = cfg->gso_tcpv6;
	ad->feat.ipv6_csum = cfg->ipv6_csum;
	ad->feat.mcast_ctrl = cfg->mcast_ctrl;
	fq.data.all_multicast = !cfg->mcast_ctrl;
	rte_spinlock_init(&ad->mc.lock);
	ad->feat.max_queues = 1;
	ad->mtu = cfg->mtu;
	fq.rxq->ad = ad;
	fq.rxq->mp = cfg->small ? fq.rx_small : fq.rx_big;
	fq.txq->ad = ad;
	FZ_CHECK(netfront_queues_connect(ad) == 0, "queues do not connect");
	rebase(cfg->base);
	BACK_RING_INIT(&fq.rxb, fq.rxq->ring.sring, NETFRONT_PAGE_SIZE);
	BACK_RING_INIT(&fq.txb, fq.txq->ring.sring, NETFRONT_PAGE_SIZE);
	fq.rxb.rsp_prod_pvt = cfg->base;
	fq.rxb.req_cons = cfg->base;
	fq.txb.rsp_prod_pvt = cfg->base;
	fq.txb.req_cons = cfg->base;
	/* As dev_start: the new backend's list is empty, then made ours. */
	netfront_mcast_reset(ad);
	netfront_mcast_sync(fq.txq);
}

/* refs[] of a granted region: the fake platform numbers them in a row. */
static uint8_t *
page_in(uint8_t *base, const uint32_t *refs, unsigned int n, uint32_t gref)
{
	uint32_t i = gref - refs[0];

	return base != NULL && i < n && refs[i] == gref ?
		base + ((size_t)i << NETFRONT_PAGE_SHIFT) : NULL;
}

uint8_t *
fq_page_of(uint32_t gref)
{
	const struct netfront_rxpool *p = fq.rxq->pool;
	uint8_t *pg = page_in(p->reg.base, p->refs, p->reg.npages, gref);

	return pg != NULL ? pg : page_in(fq.txq->blk.base, fq.txq->blk.refs,
					 NETFRONT_TX_PAGES, gref);
}

void
fq_stop(void)
{
	netfront_queues_disconnect(&fq.ad);
}

static void
check_pool(struct rte_mempool *mp, unsigned int size)
{
	unsigned int avail = rte_mempool_avail_count(mp);

	FZ_CHECK(avail == size, "%s: %u of %u mbufs back", mp->name, avail,
		 size);
}

void
fq_check_leaks(void)
{
	netfront_rxpool_reap();
	check_pool(fq.rx_big, FQ_RX_MBUFS);
	check_pool(fq.rx_small, FQ_RX_MBUFS);
	check_pool(fq.txmp, FQ_TX_MBUFS);
	/* A pool still retired would close our platform handle later. */
	FZ_CHECK(!netfront_rxpool_adopt_xp(fq.xp),
		 "an RX pool stays retired with every page freed");
}
