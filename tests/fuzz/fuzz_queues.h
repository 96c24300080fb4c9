/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NETFRONT_FUZZ_QUEUES_H
#define NETFRONT_FUZZ_QUEUES_H

/*
 * One netfront queue pair connected through the driver's own pool and
 * queue code over the fake platform (bench/micro/fake_xenplat.c), with
 * the backend's view of both shared rings for the harness to play it.
 */

#include <stdbool.h>
#include <stdint.h>

#include <ethdev_driver.h>
#include <rte_mbuf.h>

#include "netfront.h"
#include "fuzz.h"

/* The application's mempools: RX mbufs with a page or 512 bytes of data. */
#define FQ_RX_BIG_ROOM		(RTE_PKTMBUF_HEADROOM + NETFRONT_PAGE_SIZE)
#define FQ_RX_SMALL_ROOM	(RTE_PKTMBUF_HEADROOM + 512)
#define FQ_RX_MBUFS		1024u
#define FQ_TX_MBUFS		1024u
/* The larger trusted RX pool fq_cfg_parse picks. */
#define FQ_RX_PAGES_MAX		544u

struct fq_cfg {
	bool trusted;
	bool rx_sg;		/* RTE_ETH_RX_OFFLOAD_SCATTER (or LRO) */
	bool small;		/* RX from the 512-byte mempool */
	bool sg;		/* the backend's feature-sg */
	uint16_t mtu;
	unsigned int rx_pages;
	RING_IDX base;		/* ring indices start here (page aligned) */
	/* What start chose for RX from the offloads (rx_offloads_choose). */
	bool rx_csum;
	bool rx_ip_csum;
	bool rx_gso;		/* LRO */
	uint32_t max_lro_len;
	/* The backend's other features. */
	bool gso_tcpv4;
	bool gso_tcpv6;
	bool ipv6_csum;
	bool mcast_ctrl;	/* and all-multicast off: it filters */
};

struct fq {
	struct netfront_adapter ad;
	struct rte_eth_dev dev;
	struct rte_eth_dev_data data;
	void *rxqs[1];
	void *txqs[1];
	struct netfront_rxq *rxq;
	struct netfront_txq *txq;
	netif_rx_back_ring_t rxb;
	netif_tx_back_ring_t txb;
	struct rte_mempool *rx_big;
	struct rte_mempool *rx_small;
	struct rte_mempool *txmp;
	struct xenplat *xp;
};

extern struct fq fq;

/* EAL, the fake platform, the mempools; once per process. */
void fq_init(const char *prog);
/* dev_configure + queue setup + dev_start's queue part, for cfg. */
void fq_start(const struct fq_cfg *cfg);
/* The largest frame RX may deliver / TX may send. */
uint32_t fq_max_frame(void);
/*
 * A cfg from the input's header; -1 if too short.
 *   u8 flags: bit 0 trusted, bit 1 SCATTER, bit 2 backend feature-sg,
 *     bit 3 small RX mbufs, bits 4-5 ring base (0, 2^32 - 256,
 *     2^32 - 1024, 2^31), bit 6 a 544-page trusted pool, bit 7 the
 *     offload bytes follow
 *   u16 mtu, modulo the range the application may set
 *   u8 offloads: bit 0 RX TCP/UDP checksum offload, bit 1 RX IPv4
 *     checksum offload, bit 2 LRO (implies SCATTER and bit 0), bit 3
 *     unused (was xdp-headroom: the driver never asks for it), bits 4-7 the
 *     backend's feature-gso-tcpv4, -gso-tcpv6, -ipv6-csum-offload,
 *     -multicast-control (all-multicast off)
 *   u16 max_lro_pkt_size, 0 for NETFRONT_MAX_GSO_LEN (what start takes)
 * Without flags bit 7 (the seeds from before offloads) all are off.
 */
#define FQ_HEADER_LEN	3
int fq_cfg_parse(struct fq_cfg *cfg, struct fz_in *in);
/* The bytes of request gref's page, or NULL if it is no page we granted. */
uint8_t *fq_page_of(uint32_t gref);
/* dev_stop's queue part: every buffer back, every grant revoked. */
void fq_stop(void);
/* After the application freed what it held: nothing leaked. */
void fq_check_leaks(void);

#endif
