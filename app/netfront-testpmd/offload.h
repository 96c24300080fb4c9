/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * --offloads: what one port's RX leaves undone (an L4 checksum left
 * blank, an LRO packet) its peer's TX is asked to do, as a Linux bridge
 * passes CHECKSUM_PARTIAL and GSO packets from one vif to another.
 */
#ifndef NFT_OFFLOAD_H
#define NFT_OFFLOAD_H

#include <rte_ethdev.h>
#include <rte_mbuf.h>

/*
 * The offloads of a port whose frames go out through peer: TX all the
 * checksums and TSO it has; RX checksums left blank (TCP and UDP alike)
 * only if the peer's TX can fill them, LRO only if it can also segment.
 */
void offload_conf(const struct rte_eth_dev_info *info,
		  const struct rte_eth_dev_info *peer,
		  struct rte_eth_conf *conf);
/* Before TX: each packet's RX flags become the TX requests that finish
 * what RX left undone (the headers' lengths from the headers). */
void offload_rx_to_tx(struct rte_mbuf **pkts, uint16_t n);

#endif
