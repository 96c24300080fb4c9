/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

#include <rte_errno.h>
#include <rte_ethdev.h>

#include "offload.h"
#include "port.h"

static int
fail(uint16_t port, const char *what, int ret)
{
	fprintf(stderr, "error: port %u: %s: %s\n", port, what,
		rte_strerror(-ret));
	return -1;
}

/* Offloads needed for chained frames, when the port has them. */
static void
set_offloads(uint16_t port, const struct rte_eth_dev_info *info,
	     const struct app_config *cfg, uint32_t seg_room,
	     struct rte_eth_conf *conf)
{
	if (info->tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS)
		conf->txmode.offloads |= RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	if (info->rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER)
		conf->rxmode.offloads |= RTE_ETH_RX_OFFLOAD_SCATTER;
	if (cfg->pkt_max > seg_room &&
	    (conf->txmode.offloads & RTE_ETH_TX_OFFLOAD_MULTI_SEGS) == 0)
		printf("warning: port %u: no multi-segment tx offload; "
		       "frames over %u bytes may be refused\n", port,
		       seg_room);
	if (cfg->pkt_max > seg_room &&
	    (conf->rxmode.offloads & RTE_ETH_RX_OFFLOAD_SCATTER) == 0)
		printf("warning: port %u: no scatter rx offload; "
		       "frames over %u bytes may be dropped\n", port,
		       seg_room);
}

/* MTU for the largest configured frame; 0 keeps the port's default. */
static uint32_t
wanted_mtu(const struct app_config *cfg)
{
	uint32_t mtu = cfg->pkt_max - RTE_ETHER_HDR_LEN;

	return mtu > RTE_ETHER_MTU ? mtu : 0;
}

static int
setup_queues(uint16_t port, const struct rte_eth_dev_info *info,
	     const struct app_config *cfg, const struct rte_eth_conf *conf,
	     struct rte_mempool *mp)
{
	struct rte_eth_rxconf rxc = info->default_rxconf;
	struct rte_eth_txconf txc = info->default_txconf;
	uint16_t nb_rxd = cfg->nb_rxd, nb_txd = cfg->nb_txd, q;
	int socket = rte_eth_dev_socket_id(port);
	int ret;

	if (socket < 0)
		socket = SOCKET_ID_ANY;
	ret = rte_eth_dev_adjust_nb_rx_tx_desc(port, &nb_rxd, &nb_txd);
	if (ret < 0)
		return fail(port, "cannot adjust descriptor counts", ret);
	rxc.offloads = conf->rxmode.offloads;
	txc.offloads = conf->txmode.offloads;
	for (q = 0; q < cfg->nb_queues; q++) {
		ret = rte_eth_rx_queue_setup(port, q, nb_rxd, socket, &rxc,
					     mp);
		if (ret < 0)
			return fail(port, "rx queue setup", ret);
		ret = rte_eth_tx_queue_setup(port, q, nb_txd, socket, &txc);
		if (ret < 0)
			return fail(port, "tx queue setup", ret);
	}
	return 0;
}

int
port_check(uint16_t port, const struct app_config *cfg)
{
	struct rte_eth_dev_info info;
	int ret;

	ret = rte_eth_dev_info_get(port, &info);
	if (ret < 0)
		return fail(port, "cannot get device info", ret);
	if (cfg->nb_queues > info.max_rx_queues ||
	    cfg->nb_queues > info.max_tx_queues) {
		fprintf(stderr, "error: port %u (%s): %u queues requested, "
			"it has at most %u rx / %u tx\n", port,
			info.driver_name, cfg->nb_queues, info.max_rx_queues,
			info.max_tx_queues);
		return -1;
	}
	if (wanted_mtu(cfg) > info.max_mtu) {
		fprintf(stderr, "error: port %u (%s): %u-byte frames need MTU "
			"%u, it allows %u\n", port, info.driver_name,
			cfg->pkt_max, wanted_mtu(cfg), info.max_mtu);
		return -1;
	}
	return 0;
}

int
port_setup(uint16_t port, uint16_t peer, const struct app_config *cfg,
	   struct rte_mempool *mp)
{
	uint32_t seg_room = rte_pktmbuf_data_room_size(mp) -
			    RTE_PKTMBUF_HEADROOM;
	struct rte_eth_dev_info info, peer_info;
	struct rte_eth_conf conf = { 0 };
	int ret;

	ret = rte_eth_dev_info_get(port, &info);
	if (ret < 0)
		return fail(port, "cannot get device info", ret);
	set_offloads(port, &info, cfg, seg_room, &conf);
	if (cfg->offloads) {
		ret = rte_eth_dev_info_get(peer, &peer_info);
		if (ret < 0)
			return fail(peer, "cannot get device info", ret);
		offload_conf(&info, &peer_info, &conf);
	}
	conf.rxmode.mtu = wanted_mtu(cfg);
	conf.intr_conf.rmv = (*info.dev_flags & RTE_ETH_DEV_INTR_RMV) != 0;
	conf.intr_conf.rxq = cfg->rx_intr;
	if (cfg->nb_queues > 1 && info.flow_type_rss_offloads != 0) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf = info.flow_type_rss_offloads &
			(RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP);
	}
	ret = rte_eth_dev_configure(port, cfg->nb_queues, cfg->nb_queues,
				    &conf);
	if (ret < 0)
		return fail(port, conf.rxmode.mtu != 0 ?
			    "configure (jumbo MTU)" : "configure", ret);
	if (setup_queues(port, &info, cfg, &conf, mp) < 0)
		return -1;
	ret = rte_eth_promiscuous_enable(port);
	if (ret < 0 && ret != -ENOTSUP)
		printf("warning: port %u: promiscuous mode: %s\n", port,
		       rte_strerror(-ret));
	ret = rte_eth_dev_start(port);
	if (ret < 0)
		return fail(port, "start", ret);
	return 0;
}

void
port_wait_links(const uint16_t *ports, uint16_t nb_ports, double secs)
{
	struct rte_eth_link link;
	unsigned int tries = (unsigned int)(secs * 10), t;
	uint16_t i;
	bool all_up;

	for (t = 0;; t++) {
		all_up = true;
		for (i = 0; i < nb_ports; i++)
			if (rte_eth_link_get_nowait(ports[i], &link) != 0 ||
			    link.link_status == RTE_ETH_LINK_DOWN)
				all_up = false;
		if (all_up || t >= tries)
			break;
		usleep(100 * 1000);
	}
	for (i = 0; i < nb_ports; i++) {
		if (rte_eth_link_get_nowait(ports[i], &link) == 0 &&
		    link.link_status == RTE_ETH_LINK_UP)
			printf("port %u: link up, %u Mbit/s\n", ports[i],
			       link.link_speed);
		else
			printf("warning: port %u: link still down\n",
			       ports[i]);
	}
}

void
port_close(uint16_t port)
{
	int ret = rte_eth_dev_stop(port);

	if (ret < 0)
		printf("warning: port %u: stop: %s\n", port,
		       rte_strerror(-ret));
	ret = rte_eth_dev_close(port);
	if (ret < 0)
		printf("warning: port %u: close: %s\n", port,
		       rte_strerror(-ret));
}

static int
on_event(uint16_t port, enum rte_eth_event_type type, void *arg, void *ret)
{
	struct port_events *ev = arg;

	if (type == RTE_ETH_EVENT_INTR_RESET) {
		__atomic_fetch_add(&ev->resets, 1, __ATOMIC_RELAXED);
		__atomic_store_n(&ev->reset_pending[port], 1, __ATOMIC_RELEASE);
	} else {
		__atomic_fetch_add(&ev->rmvs, 1, __ATOMIC_RELAXED);
		__atomic_store_n(&ev->removed[port], 1, __ATOMIC_RELEASE);
	}
	return 0;
}

int
port_events_register(uint16_t port, struct port_events *ev)
{
	int ret = rte_eth_dev_callback_register(port, RTE_ETH_EVENT_INTR_RESET,
						on_event, ev);

	if (ret == 0)
		ret = rte_eth_dev_callback_register(port,
						    RTE_ETH_EVENT_INTR_RMV,
						    on_event, ev);
	return ret < 0 ? fail(port, "event callbacks", ret) : 0;
}

int
port_reset(uint16_t port, uint16_t peer, const struct app_config *cfg,
	   struct rte_mempool *mp)
{
	int ret = rte_eth_dev_reset(port);

	if (ret < 0)
		return fail(port, "reset", ret);
	return port_setup(port, peer, cfg, mp);
}
