/* SPDX-License-Identifier: BSD-3-Clause */
#include <rte_net.h>

#include "offload.h"

#define RX_CSUM	\
	(RTE_ETH_RX_OFFLOAD_TCP_CKSUM | RTE_ETH_RX_OFFLOAD_UDP_CKSUM)
#define TX_CSUM	\
	(RTE_ETH_TX_OFFLOAD_TCP_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM)

void
offload_conf(const struct rte_eth_dev_info *info,
	     const struct rte_eth_dev_info *peer, struct rte_eth_conf *conf)
{
	conf->txmode.offloads |= info->tx_offload_capa &
		(RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | TX_CSUM |
		 RTE_ETH_TX_OFFLOAD_TCP_TSO);
	if ((info->rx_offload_capa & RX_CSUM) != RX_CSUM ||
	    (peer->tx_offload_capa & TX_CSUM) != TX_CSUM)
		return;
	conf->rxmode.offloads |= RX_CSUM;
	if (!(info->rx_offload_capa & RTE_ETH_RX_OFFLOAD_TCP_LRO) ||
	    !(peer->tx_offload_capa & RTE_ETH_TX_OFFLOAD_TCP_TSO))
		return;
	conf->rxmode.offloads |= RTE_ETH_RX_OFFLOAD_TCP_LRO;
	/* The largest the port takes: netfront asks for GSO only then. */
	conf->rxmode.max_lro_pkt_size = info->max_lro_pkt_size;
}

/*
 * A blank checksum: the field holds the pseudo-header sum with the
 * length, as DPDK wants it for TX checksum offload. An LRO packet: DPDK's
 * TSO wants it without the length, but TSO drivers that rewrite each
 * segment's headers (netfront among them) set the field themselves.
 */
static void
rx_to_tx(struct rte_mbuf *m)
{
	uint64_t fl = m->ol_flags, tx = 0;
	bool lro = fl & RTE_MBUF_F_RX_LRO;
	struct rte_net_hdr_lens hl;
	uint32_t ptype;

	if (!lro && (fl & RTE_MBUF_F_RX_L4_CKSUM_MASK) !=
		    RTE_MBUF_F_RX_L4_CKSUM_NONE)
		return;
	ptype = rte_net_get_ptype(m, &hl, RTE_PTYPE_L2_MASK |
				  RTE_PTYPE_L3_MASK | RTE_PTYPE_L4_MASK);
	if (RTE_ETH_IS_IPV4_HDR(ptype))
		tx = RTE_MBUF_F_TX_IPV4;
	else if (RTE_ETH_IS_IPV6_HDR(ptype))
		tx = RTE_MBUF_F_TX_IPV6;
	else
		return;
	switch (ptype & RTE_PTYPE_L4_MASK) {
	case RTE_PTYPE_L4_TCP:
		if (!lro)
			tx |= RTE_MBUF_F_TX_TCP_CKSUM;
		else if (tx == RTE_MBUF_F_TX_IPV4)
			tx |= RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_IP_CKSUM;
		else
			tx |= RTE_MBUF_F_TX_TCP_SEG;
		break;
	case RTE_PTYPE_L4_UDP:
		if (lro)
			return;
		tx |= RTE_MBUF_F_TX_UDP_CKSUM;
		break;
	default:
		return;
	}
	m->l2_len = hl.l2_len;
	m->l3_len = hl.l3_len;
	m->l4_len = hl.l4_len;
	/* tso_segsz is the MSS LRO gave. */
	m->ol_flags = fl | tx;
}

void
offload_rx_to_tx(struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t i;

	for (i = 0; i < n; i++)
		rx_to_tx(pkts[i]);
}
