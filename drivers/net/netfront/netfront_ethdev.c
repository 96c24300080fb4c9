/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_netfront: the vdev, its devargs and the eth_dev_ops.
 *   --vdev=net_netfront0,vif=N[,queues=Q][,xensim=DIR][,unbind=0|1]
 *          [,timeout_ms=MS][,rx_pages=P][,split_evtchn=0|1][,trusted=0|1]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <bus_vdev_driver.h>
#include <ethdev_driver.h>
#include <ethdev_vdev.h>
#include <rte_alarm.h>
#include <rte_kvargs.h>
#include <rte_malloc.h>

#include "xenplat.h"
#include "netfront.h"

#define ARG_VIF		"vif"
#define ARG_QUEUES	"queues"
#define ARG_XENSIM	"xensim"
#define ARG_UNBIND	"unbind"
#define ARG_TIMEOUT	"timeout_ms"
#define ARG_RX_PAGES	"rx_pages"
#define ARG_SPLIT	"split_evtchn"
#define ARG_TRUSTED	"trusted"

/* Enough pages for a full ring, one more ring held by the app, a burst. */
#define RX_PAGES_DEFAULT	(2 * NET_RX_RING_SIZE + 32)
/* The least a trusted pool does with: a full ring and a burst. */
#define RX_PAGES_MIN		(NET_RX_RING_SIZE + 32)
#define GNTALLOC_DEFAULT_LIMIT	1024
#define RX_PAGES_MAX		GNTALLOC_DEFAULT_LIMIT
#define TIMEOUT_DEFAULT		10000

static const char *const valid_args[] = {
	ARG_VIF, ARG_QUEUES, ARG_XENSIM, ARG_UNBIND, ARG_TIMEOUT,
	ARG_RX_PAGES, ARG_SPLIT, ARG_TRUSTED, NULL
};

static int
parse_uint(const char *key, const char *val, unsigned int min,
	   unsigned int max, unsigned int *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = val != NULL ? strtoul(val, &end, 10) : 0;
	if (val == NULL || errno != 0 || end == val || *end != '\0' ||
	    val[0] == '-' || v < min || v > max) {
		PMD_DRV_LOG(ERR, "devarg %s='%s': expected an integer in "
			    "%u..%u", key, val != NULL ? val : "", min, max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static int
parse_arg(struct netfront_args *a, const char *key, const char *val)
{
	unsigned int b;
	int rc;

	if (strcmp(key, ARG_VIF) == 0)
		return parse_uint(key, val, 0, 65535, &a->vif);
	if (strcmp(key, ARG_QUEUES) == 0)
		return parse_uint(key, val, 1, NETFRONT_MAX_QUEUES, &a->queues);
	if (strcmp(key, ARG_TIMEOUT) == 0)
		return parse_uint(key, val, 1, 3600000, &a->timeout_ms);
	if (strcmp(key, ARG_RX_PAGES) == 0)
		return parse_uint(key, val, NET_RX_RING_SIZE, RX_PAGES_MAX,
				  &a->rx_pages);
	if (strcmp(key, ARG_XENSIM) == 0) {
		if (val == NULL || val[0] == '\0' ||
		    strlen(val) >= sizeof(a->xensim)) {
			PMD_DRV_LOG(ERR, "devarg %s: expected a directory path "
				    "shorter than %zu", key,
				    sizeof(a->xensim));
			return -EINVAL;
		}
		strcpy(a->xensim, val);
		return 0;
	}
	rc = parse_uint(key, val, 0, 1, &b);
	if (rc == 0 && strcmp(key, ARG_UNBIND) == 0)
		a->unbind = b;
	else if (rc == 0 && strcmp(key, ARG_TRUSTED) == 0)
		a->trusted = b;
	else if (rc == 0)
		a->split_evtchn = b;
	return rc;
}

static int
parse_args(const char *name, const char *args, struct netfront_args *a)
{
	struct rte_kvargs *kv;
	bool seen[RTE_DIM(valid_args)] = { false };
	unsigned int i, k;
	int rc = 0;

	a->timeout_ms = TIMEOUT_DEFAULT;
	a->split_evtchn = true;
	a->trusted = true;
	/* Parse without a key list so an unknown key can be named. */
	kv = rte_kvargs_parse(args != NULL ? args : "", NULL);
	if (kv == NULL) {
		PMD_DRV_LOG(ERR, "%s: cannot parse devargs '%s'", name, args);
		return -EINVAL;
	}
	for (i = 0; i < kv->count && rc == 0; i++) {
		const char *key = kv->pairs[i].key;

		for (k = 0; valid_args[k] != NULL; k++)
			if (strcmp(key, valid_args[k]) == 0)
				break;
		if (valid_args[k] == NULL) {
			PMD_DRV_LOG(ERR, "%s: unknown devarg '%s' (known: vif, "
				    "queues, xensim, unbind, timeout_ms, "
				    "rx_pages, split_evtchn, trusted)", name,
				    key);
			rc = -EINVAL;
		} else if (seen[k]) {
			PMD_DRV_LOG(ERR, "%s: devarg '%s' given twice", name,
				    key);
			rc = -EINVAL;
		} else {
			seen[k] = true;
			rc = parse_arg(a, key, kv->pairs[i].value);
		}
	}
	if (rc == 0 && !seen[0]) {
		PMD_DRV_LOG(ERR, "%s: devarg 'vif' (the vif handle) is "
			    "required", name);
		rc = -EINVAL;
	}
	rte_kvargs_free(kv);
	return rc;
}

static void
link_set(struct netfront_adapter *ad, bool up)
{
	struct rte_eth_link link = {
		.link_speed = RTE_ETH_SPEED_NUM_10G,
		.link_duplex = RTE_ETH_LINK_FULL_DUPLEX,
		.link_autoneg = RTE_ETH_LINK_FIXED,
		.link_status = up ? RTE_ETH_LINK_UP : RTE_ETH_LINK_DOWN,
	};

	rte_eth_linkstatus_set(ad->dev, &link);
}

/*
 * Link from the backend's state st and its carrier; LSC on every change.
 * st is the one the caller acted on: read again, it could say Connected
 * to one and not to the other.
 */
static void
link_report(struct netfront_adapter *ad, int st)
{
	struct rte_eth_dev *dev = ad->dev;
	bool up = !ad->failed && st == XenbusStateConnected &&
		  netfront_xb_carrier(ad);

	if (up == ad->link_reported)
		return;
	ad->link_reported = up;
	link_set(ad, up);
	PMD_DRV_LOG(INFO, "vif%u: link %s", ad->args.vif, up ? "up" : "down");
	if (dev->data->dev_conf.intr_conf.lsc)
		rte_eth_dev_callback_process(dev, RTE_ETH_EVENT_INTR_LSC, NULL);
}

/* A violation stopped the port: down whatever the backend says. */
static void
link_alarm(void *arg)
{
	link_report(arg, XenbusStateUnknown);
}

/* From the data path: report the stop from the interrupt thread. */
static void
link_lost(struct netfront_adapter *ad)
{
	if (rte_eal_alarm_set(1, link_alarm, ad) != 0)
		PMD_DRV_LOG(WARNING, "vif%u: cannot report the link down",
			    ad->args.vif);
}

/*
 * A change in the backend's xenstore directory, on the EAL interrupt
 * thread while started. A backend that leaves (Closing, Closed, gone, or
 * already back at InitWait) stops the data path at once and closes us as
 * Linux netfront does. Once it is Closed, unless the toolstack is
 * detaching the vif, we ask it back; RMV once its directory is gone,
 * RESET once it waits for a frontend again or its directory is back
 * (rte_eth_dev_reset() connects anew). After a restore, RESET at once:
 * the new domain's frontend directory is not ours to close.
 */
static void
backend_changed(void *arg)
{
	struct netfront_adapter *ad = arg;
	struct rte_eth_dev *dev = ad->dev;
	int st = netfront_xb_backend_state(ad);

	/* The old backend's events mean nothing after a restore. */
	if (ad->restored)
		return;
	if (netfront_xb_restored(ad)) {
		ad->restored = true;
		ad->gone = true;
		ad->back = true;
		ad->failed = true;
		PMD_DRV_LOG(NOTICE, "vif%u: the domain was restored: the "
			    "connection to %s is void, its grants and event "
			    "channels too; reset the port to connect anew",
			    ad->args.vif, ad->be_path);
		link_report(ad, XenbusStateUnknown);
		rte_eth_dev_callback_process(dev, RTE_ETH_EVENT_INTR_RESET,
					     NULL);
		return;
	}
	if (st != XenbusStateConnected && !ad->gone) {
		ad->gone = true;
		ad->failed = true;
		PMD_DRV_LOG(NOTICE, "vif%u: backend %s left (state %d): port "
			    "stopped", ad->args.vif, ad->be_path, st);
		netfront_xb_close(ad);
	}
	link_report(ad, st);
	if (ad->gone && st == XenbusStateClosed && !ad->woken)
		ad->woken = netfront_xb_wake(ad);
	if (st == XenbusStateUnknown && !ad->removed) {
		ad->removed = true;
		PMD_DRV_LOG(NOTICE, "vif%u: backend %s removed", ad->args.vif,
			    ad->be_path);
		if (dev->data->dev_conf.intr_conf.rmv)
			rte_eth_dev_callback_process(dev,
						     RTE_ETH_EVENT_INTR_RMV,
						     NULL);
	}
	/* Back: waiting for a frontend, or a vif attached anew (on Xen the
	 * kernel's xen-netfront may connect to it first). */
	if (ad->gone && !ad->back && (st == XenbusStateInitWait ||
	    (ad->removed && st != XenbusStateUnknown))) {
		ad->back = true;
		PMD_DRV_LOG(NOTICE, "vif%u: backend %s is back: reset the port "
			    "to connect again", ad->args.vif, ad->be_path);
		rte_eth_dev_callback_process(dev, RTE_ETH_EVENT_INTR_RESET,
					     NULL);
	}
}

/*
 * An RX queue's interrupt fd: its ring's event channel, or when it polls
 * the RX rings of more pairs, an epoll set of all their channels, which
 * is readable while any of them is.
 */
static int
rx_intr_fd(const struct netfront_rxq *rxq)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int ep;

	if (rxq->next == NULL)
		return xenplat_evtchn_fd(rxq->evtchn);
	ep = epoll_create1(EPOLL_CLOEXEC);
	for (; ep >= 0 && rxq != NULL; rxq = rxq->next)
		if (epoll_ctl(ep, EPOLL_CTL_ADD, xenplat_evtchn_fd(rxq->evtchn),
			      &ev) != 0) {
			close(ep);
			ep = -1;
		}
	return ep;
}

/* The epoll set of rx_intr_fd() goes; a channel's fd stays its own. */
static void
rx_intr_fd_put(const struct netfront_rxq *rxq, int fd)
{
	if (rxq->next != NULL)
		close(fd);
}

/* The interrupt fds of the first n RX queues, held by h. */
static void
rx_intr_close(struct rte_eth_dev *dev, struct rte_intr_handle *h, uint16_t n)
{
	uint16_t q;

	for (q = 0; q < n; q++)
		rx_intr_fd_put(dev->data->rx_queues[q],
			       rte_intr_efds_index_get(h, q));
}

/*
 * RX interrupts (intr_conf.rxq): each RX queue's fd is its vector, for
 * rte_eth_dev_rx_intr_ctl_q() and rte_epoll_wait(). EXT: EAL reads
 * nothing from it; rx_queue_intr_enable consumes the events.
 */
static int
rx_intr_setup(struct rte_eth_dev *dev)
{
	uint16_t q = 0, n = dev->data->nb_rx_queues;
	struct rte_intr_handle *h;
	int fd;

	if (!dev->data->dev_conf.intr_conf.rxq)
		return 0;
	h = rte_intr_instance_alloc(RTE_INTR_INSTANCE_F_PRIVATE);
	if (h == NULL)
		return -ENOMEM;
	if (rte_intr_type_set(h, RTE_INTR_HANDLE_EXT) != 0 ||
	    rte_intr_vec_list_alloc(h, NULL, n) != 0 ||
	    rte_intr_nb_efd_set(h, n) != 0 ||
	    rte_intr_max_intr_set(h, n + 1) != 0)
		goto fail;
	for (q = 0; q < n; q++) {
		const struct netfront_rxq *rxq = dev->data->rx_queues[q];

		fd = rx_intr_fd(rxq);
		if (fd < 0)
			goto fail;
		if (rte_intr_efds_index_set(h, q, fd) != 0) {
			rx_intr_fd_put(rxq, fd);
			goto fail;
		}
		if (rte_intr_vec_list_index_set(h, q,
				RTE_INTR_VEC_RXTX_OFFSET + q) != 0) {
			q++;
			goto fail;
		}
	}
	dev->intr_handle = h;
	return 0;
fail:
	rx_intr_close(dev, h, q);
	rte_intr_vec_list_free(h);
	rte_intr_instance_free(h);
	return -EINVAL;
}

static void
rx_intr_free(struct rte_eth_dev *dev)
{
	if (dev->intr_handle != NULL)
		rx_intr_close(dev, dev->intr_handle,
			      dev->data->nb_rx_queues);
	rte_intr_vec_list_free(dev->intr_handle);
	rte_intr_instance_free(dev->intr_handle);
	dev->intr_handle = NULL;
}

/*
 * Consume what woke us, then have the backend notify the next response,
 * as RING_FINAL_CHECK_FOR_RESPONSES does. -EAGAIN when one arrived
 * meanwhile: poll again rather than sleep.
 */
static int
rx_ring_intr_enable(struct netfront_rxq *rxq)
{
	while (xenplat_evtchn_wait(rxq->evtchn, 0) > 0)
		;
	rxq->ring.sring->rsp_event = rxq->ring.rsp_cons + 1;
	rte_smp_mb();
	return RING_HAS_UNCONSUMED_RESPONSES(&rxq->ring) ? -EAGAIN : 0;
}

/* Every ring the queue polls. */
static int
netfront_rx_intr_enable(struct rte_eth_dev *dev, uint16_t qid)
{
	struct netfront_rxq *rxq;
	int rc = 0;

	for (rxq = dev->data->rx_queues[qid]; rxq != NULL; rxq = rxq->next)
		if (rx_ring_intr_enable(rxq) != 0)
			rc = -EAGAIN;
	return rc;
}

/* The backend notifies at most once more: nothing to undo. */
static int
netfront_rx_intr_disable(struct rte_eth_dev *dev, uint16_t qid)
{
	return 0;
}

/* Follow the backend through its xenstore watch, on the interrupt thread. */
static int
watch_start(struct netfront_adapter *ad)
{
	struct rte_intr_handle *h;
	int rc;

	h = rte_intr_instance_alloc(RTE_INTR_INSTANCE_F_PRIVATE);
	if (h == NULL)
		return -ENOMEM;
	if (rte_intr_fd_set(h, netfront_xb_fd(ad)) != 0 ||
	    rte_intr_type_set(h, RTE_INTR_HANDLE_EXT) != 0) {
		rte_intr_instance_free(h);
		return -EINVAL;
	}
	rc = rte_intr_callback_register(h, backend_changed, ad);
	if (rc != 0) {
		PMD_DRV_LOG(ERR, "vif%u: cannot follow the backend's state: "
			    "%s", ad->args.vif, strerror(-rc));
		rte_intr_instance_free(h);
		return rc;
	}
	ad->xs_intr = h;
	return 0;
}

static void
watch_stop(struct netfront_adapter *ad)
{
	if (ad->xs_intr == NULL)
		return;
	rte_intr_callback_unregister_sync(ad->xs_intr, backend_changed, ad);
	rte_intr_instance_free(ad->xs_intr);
	ad->xs_intr = NULL;
	rte_eal_alarm_cancel(link_alarm, ad);
}

/* The largest MTU: the toolstack's, within what frames one slot or SG
 * can carry. */
static uint16_t
mtu_max(const struct netfront_adapter *ad)
{
	return RTE_MIN(ad->mtu, ad->feat.sg ? NETFRONT_MAX_MTU_SG :
		       NETFRONT_MAX_MTU);
}

/*
 * The vif's MTU from xenstore is the port's bound and its default.
 * ethdev turns an MTU of 0 at configure into 1500 before the driver
 * sees it, so 1500 is taken to mean "the default" and becomes the vif's
 * MTU: lowered always, raised only when SCATTER lets frames span mbufs.
 */
static int
configure_mtu(struct rte_eth_dev *dev)
{
	struct netfront_adapter *ad = dev->data->dev_private;
	struct rte_eth_dev_data *d = dev->data;
	uint16_t max = mtu_max(ad);

	if (d->mtu == RTE_ETHER_MTU && max != RTE_ETHER_MTU &&
	    (max < RTE_ETHER_MTU ||
	     (d->dev_conf.rxmode.offloads & RTE_ETH_RX_OFFLOAD_SCATTER))) {
		PMD_DRV_LOG(INFO, "vif%u: MTU %u, the vif's", ad->args.vif,
			    max);
		d->mtu = max;
		d->dev_conf.rxmode.mtu = max;
	}
	if (d->mtu > max) {
		PMD_DRV_LOG(ERR, "vif%u: MTU %u is over the vif's %u%s",
			    ad->args.vif, d->mtu, max, ad->feat.sg ? "" :
			    " (the backend lacks feature-sg)");
		return -EINVAL;
	}
	return 0;
}

static int
netfront_configure(struct rte_eth_dev *dev)
{
	struct netfront_adapter *ad = dev->data->dev_private;
	struct rte_eth_dev_data *d = dev->data;
	uint64_t csum = RTE_ETH_RX_OFFLOAD_TCP_CKSUM |
			RTE_ETH_RX_OFFLOAD_UDP_CKSUM;

	/* Every pair's RX ring needs a poller, TX queue 0 the mcast list. */
	if (d->nb_rx_queues == 0 || d->nb_tx_queues == 0) {
		PMD_DRV_LOG(ERR, "vif%u: a netif queue is a TX/RX ring pair: "
			    "configure at least one RX and one TX queue (%u "
			    "RX, %u TX)", ad->args.vif, d->nb_rx_queues,
			    d->nb_tx_queues);
		return -EINVAL;
	}
	/* The backend blanks TCP and UDP checksums alike: both or none. */
	if ((d->dev_conf.rxmode.offloads & RTE_ETH_RX_OFFLOAD_TCP_LRO) &&
	    (d->dev_conf.rxmode.offloads & csum) != csum) {
		PMD_DRV_LOG(ERR, "vif%u: LRO packets come with blank L4 "
			    "checksums: enable RX TCP and UDP checksum offload "
			    "with it", ad->args.vif);
		return -EINVAL;
	}
	if (configure_mtu(dev) != 0)
		return -EINVAL;
	if (d->dev_conf.rxmode.mq_mode != RTE_ETH_MQ_RX_NONE &&
	    d->nb_rx_queues > 1)
		PMD_DRV_LOG(NOTICE, "vif%u: the backend spreads flows over "
			    "queues itself; RSS settings are ignored",
			    ad->args.vif);
	return 0;
}

static int
netfront_infos_get(struct rte_eth_dev *dev, struct rte_eth_dev_info *info)
{
	struct netfront_adapter *ad = dev->data->dev_private;
	const struct netfront_backend_features *f = &ad->feat;
	/* Not below 1500: ethdev would refuse its own default at configure,
	 * which configure_mtu() lowers to the vif's. */
	uint16_t max_mtu = RTE_MAX(mtu_max(ad), (uint16_t)RTE_ETHER_MTU);

	info->max_mac_addrs = 1;
	info->max_rx_queues = ad->max_queues;
	info->max_tx_queues = ad->max_queues;
	info->min_mtu = RTE_ETHER_MIN_MTU;
	info->max_mtu = max_mtu;
	info->max_rx_pktlen = max_mtu + NETFRONT_FRAME_OVERHEAD;
	info->max_lro_pkt_size = NETFRONT_MAX_GSO_LEN;
	info->min_rx_bufsize = 0;
	info->rx_desc_lim.nb_max = NET_RX_RING_SIZE;
	info->rx_desc_lim.nb_min = NET_RX_RING_SIZE;
	info->rx_desc_lim.nb_align = 1;
	info->tx_desc_lim.nb_max = NET_TX_RING_SIZE;
	info->tx_desc_lim.nb_min = NET_TX_RING_SIZE;
	info->tx_desc_lim.nb_align = 1;
	info->tx_desc_lim.nb_seg_max = NETFRONT_MAX_SLOTS;
	info->tx_desc_lim.nb_mtu_seg_max = NETFRONT_MAX_SLOTS;
	info->default_rxportconf.ring_size = NET_RX_RING_SIZE;
	info->default_txportconf.ring_size = NET_TX_RING_SIZE;
	info->default_rxportconf.nb_queues = 1;
	info->default_txportconf.nb_queues = 1;
	/*
	 * RX: ours to ask for at start (feature-sg, checksums left blank,
	 * GSO packets), and IPv4 headers the driver checks; TX: what the
	 * backend offers, and the IPv4 header checksum, which the driver
	 * fills in its copy.
	 */
	info->rx_offload_capa = RTE_ETH_RX_OFFLOAD_SCATTER |
				RTE_ETH_RX_OFFLOAD_IPV4_CKSUM |
				RTE_ETH_RX_OFFLOAD_TCP_CKSUM |
				RTE_ETH_RX_OFFLOAD_UDP_CKSUM |
				RTE_ETH_RX_OFFLOAD_TCP_LRO;
	info->tx_offload_capa = RTE_ETH_TX_OFFLOAD_IPV4_CKSUM;
	if (f->sg)
		info->tx_offload_capa |= RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	/* Linux netback takes csum_blank for IPv4 always, IPv6 if it says */
	if (f->ipv6_csum)
		info->tx_offload_capa |= RTE_ETH_TX_OFFLOAD_TCP_CKSUM |
					 RTE_ETH_TX_OFFLOAD_UDP_CKSUM;
	if (f->ipv6_csum && f->sg && f->gso_tcpv4 && f->gso_tcpv6)
		info->tx_offload_capa |= RTE_ETH_TX_OFFLOAD_TCP_TSO;
	info->speed_capa = RTE_ETH_LINK_SPEED_FIXED;
	return 0;
}

/*
 * Without SCATTER a received frame is one segment: one page, or when RX
 * copies, one mbuf of the application's mempool.
 */
static int
rx_frame_fits(struct rte_eth_dev *dev, uint16_t mtu)
{
	struct netfront_adapter *ad = dev->data->dev_private;
	uint32_t len = mtu + NETFRONT_FRAME_OVERHEAD;
	unsigned int q;

	if (dev->data->dev_conf.rxmode.offloads &
	    (RTE_ETH_RX_OFFLOAD_SCATTER | RTE_ETH_RX_OFFLOAD_TCP_LRO))
		return 0;
	if (len > NETFRONT_PAGE_SIZE) {
		PMD_DRV_LOG(ERR, "vif%u: MTU %u: frames over a page need "
			    "RTE_ETH_RX_OFFLOAD_SCATTER", ad->args.vif, mtu);
		return -EINVAL;
	}
	for (q = 0; !ad->trusted && q < dev->data->nb_rx_queues; q++) {
		const struct netfront_rxq *rxq = dev->data->rx_queues[q];
		uint32_t room;

		if (rxq == NULL)
			continue;
		room = rte_pktmbuf_data_room_size(rxq->mp) -
		       RTE_PKTMBUF_HEADROOM;
		if (len > room) {
			PMD_DRV_LOG(ERR, "vif%u: MTU %u: frames over one mbuf "
				    "of %s (%u bytes) need "
				    "RTE_ETH_RX_OFFLOAD_SCATTER", ad->args.vif,
				    mtu, rxq->mp->name, room);
			return -EINVAL;
		}
	}
	return 0;
}

static int
netfront_mtu_set(struct rte_eth_dev *dev, uint16_t mtu)
{
	struct netfront_adapter *ad = dev->data->dev_private;
	uint16_t max = mtu_max(ad);

	if (mtu < RTE_ETHER_MIN_MTU || mtu > max) {
		PMD_DRV_LOG(ERR, "vif%u: MTU %u outside %u..%u (the vif's)",
			    ad->args.vif, mtu, RTE_ETHER_MIN_MTU, max);
		return -EINVAL;
	}
	return rx_frame_fits(dev, mtu);
}

/* Without dynamic multicast control the backend reads it at connect. */
static int
allmulti_set(struct rte_eth_dev *dev, bool on)
{
	struct netfront_adapter *ad = dev->data->dev_private;
	int rc;

	if (!netfront_mcast_offered(ad, !on))
		return on ? 0 : -ENOTSUP;
	/* ethdev sets all_multicast after this; it replays it at start */
	if (dev->data->all_multicast == on)
		return 0;
	if (dev->data->dev_started) {
		if (!ad->feat.mcast_dynamic) {
			PMD_DRV_LOG(ERR, "vif%u: backend %s lacks "
				    "feature-dynamic-multicast-control: stop "
				    "the port first", ad->args.vif,
				    ad->be_path);
			return -EBUSY;
		}
		rc = netfront_xb_mcast_filter(ad, !on);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int
netfront_allmulti_enable(struct rte_eth_dev *dev)
{
	return allmulti_set(dev, true);
}

static int
netfront_allmulti_disable(struct rte_eth_dev *dev)
{
	return allmulti_set(dev, false);
}

/*
 * gntalloc's limit counts every grant of the guest, so the queue pairs
 * must fit in it together, with those of the process's other ports and
 * TX pools: the default pool shrinks to fit, and what cannot fit is
 * refused naming what to raise.
 */
static int
grants_fit(struct netfront_adapter *ad, unsigned int nq)
{
	unsigned int ntx = ad->dev->data->nb_tx_queues;
	unsigned int limit = xenplat_grant_limit(ad->xp);
	unsigned int held = netfront_queues_grants(ad) +
			    netfront_txpool_pages();
	unsigned int budget = limit != 0 ? limit : GNTALLOC_DEFAULT_LIMIT;
	unsigned int fixed = netfront_grants_need(nq, ntx, 0);
	unsigned int rx, need;

	budget = budget > held ? budget - held : 0;
	if (!ad->trusted) {
		rx = NET_RX_RING_SIZE;
	} else if (ad->args.rx_pages != 0) {
		rx = ad->args.rx_pages;
	} else {
		/* What rings and TX blocks leave a pair, within the default
		 * and least. */
		rx = budget > fixed ? (budget - fixed) / nq : 0;
		rx = RTE_MAX(RTE_MIN(rx, (unsigned int)RX_PAGES_DEFAULT),
			     (unsigned int)RX_PAGES_MIN);
	}
	ad->rx_pages = rx;
	ad->grant_limit = limit;
	need = netfront_grants_need(nq, ntx, rx);
	if (limit == 0 || held + need <= limit)
		return 0;
	PMD_DRV_LOG(ERR, "vif%u: %u queue pair(s) need %u grants (2 rings "
		    "and %u RX pages each, %u TX pages for each of %u TX "
		    "queue(s)), but this guest may grant %u in all "
		    "(gntalloc's limit) and the other started ports and TX "
		    "pools of this process hold %u: raise "
		    "/sys/module/xen_gntalloc/parameters/limit to %u or more, "
		    "or use fewer queues%s", ad->args.vif, nq, need, rx,
		    NETFRONT_TX_PAGES, ntx, limit, held, held + need,
		    ad->trusted ? ", or trusted=0 (256 RX pages each)" : "");
	return -ENOSPC;
}

/*
 * What RX asks of the backend, from the application's offloads: chains
 * with SCATTER or LRO, blank checksums with checksum offload, GSO packets
 * with LRO if the application takes them whole. Never xdp-headroom: Linux
 * netback (6.1) counts neither its extra-info slot nor the headroom when
 * it checks that a packet's RX requests are posted, so it may consume
 * requests the frontend has not posted (seen on real Xen: lost frames and
 * a guest whose console died).
 */
static void
rx_offloads_choose(struct netfront_adapter *ad)
{
	const struct rte_eth_rxmode *rx = &ad->dev->data->dev_conf.rxmode;
	uint64_t csum = RTE_ETH_RX_OFFLOAD_TCP_CKSUM |
			RTE_ETH_RX_OFFLOAD_UDP_CKSUM;

	/* Nothing tells the backend how large its GSO packets may be. */
	ad->rx_gso = (rx->offloads & RTE_ETH_RX_OFFLOAD_TCP_LRO) &&
		     rx->max_lro_pkt_size >= NETFRONT_MAX_GSO_LEN;
	if ((rx->offloads & RTE_ETH_RX_OFFLOAD_TCP_LRO) && !ad->rx_gso)
		PMD_DRV_LOG(NOTICE, "vif%u: LRO not asked of the backend: its "
			    "packets may be %u bytes, over max_lro_pkt_size "
			    "%u", ad->args.vif, NETFRONT_MAX_GSO_LEN,
			    rx->max_lro_pkt_size);
	ad->rx_sg = ad->rx_gso || (rx->offloads & RTE_ETH_RX_OFFLOAD_SCATTER);
	ad->rx_csum = (rx->offloads & csum) == csum;
	ad->rx_ip_csum = rx->offloads & RTE_ETH_RX_OFFLOAD_IPV4_CKSUM;
	ad->max_lro_len = rx->max_lro_pkt_size;
}

static int
netfront_start(struct rte_eth_dev *dev)
{
	struct netfront_adapter *ad = dev->data->dev_private;
	unsigned int q;
	int rc;

	if (ad->xsh == NULL) {
		PMD_DRV_LOG(ERR, "vif%u: not attached (a reset failed): reset "
			    "the port again", ad->args.vif);
		return -ENODEV;
	}
	/* Restored (or attached anew) while stopped: the keys are stale. */
	if (netfront_xb_renewed(ad)) {
		PMD_DRV_LOG(ERR, "vif%u: the frontend directory was made anew "
			    "(the domain was restored, or the vif attached "
			    "again): reset the port to connect", ad->args.vif);
		return -ENODEV;
	}
	rc = rx_frame_fits(dev, dev->data->mtu);
	if (rc == 0)
		rc = grants_fit(ad, netfront_pairs(dev));
	if (rc != 0)
		return rc;
	rc = netfront_xb_wait_initwait(ad);
	if (rc != 0)
		return rc;
	rx_offloads_choose(ad);
	/* After InitWait: the features were read again, and may be less. */
	if (netfront_pairs(dev) > ad->feat.max_queues) {
		PMD_DRV_LOG(ERR, "vif%u: %u queue pairs configured, the "
			    "backend offers %u", ad->args.vif,
			    netfront_pairs(dev), ad->feat.max_queues);
		return -EINVAL;
	}
	rc = netfront_queues_connect(ad);
	if (rc != 0)
		return rc;
	rc = rx_intr_setup(dev);
	if (rc != 0) {
		netfront_queues_disconnect(ad);
		return rc;
	}
	ad->failed = false;
	ad->gone = false;
	ad->woken = false;
	ad->removed = false;
	ad->back = false;
	netfront_mcast_reset(ad);
	rc = netfront_xb_connect(ad);
	if (rc == 0) {
		/* Before bursts run: the list a new backend starts without. */
		netfront_mcast_sync(dev->data->tx_queues[0]);
		ad->link_reported = false;
		link_report(ad, XenbusStateConnected);
		rc = watch_start(ad);
	}
	if (rc != 0) {
		link_set(ad, false);
		netfront_xb_disconnect(ad);
		rx_intr_free(dev);
		netfront_queues_disconnect(ad);
		return rc;
	}
	for (q = 0; q < dev->data->nb_rx_queues; q++)
		dev->data->rx_queue_state[q] = RTE_ETH_QUEUE_STATE_STARTED;
	for (q = 0; q < dev->data->nb_tx_queues; q++)
		dev->data->tx_queue_state[q] = RTE_ETH_QUEUE_STATE_STARTED;
	return 0;
}

static int
netfront_stop(struct rte_eth_dev *dev)
{
	struct netfront_adapter *ad = dev->data->dev_private;
	unsigned int q;

	watch_stop(ad);
	link_set(ad, false);
	ad->link_reported = false;
	netfront_xb_disconnect(ad);
	rx_intr_free(dev);
	netfront_queues_disconnect(ad);
	for (q = 0; q < dev->data->nb_rx_queues; q++)
		dev->data->rx_queue_state[q] = RTE_ETH_QUEUE_STATE_STOPPED;
	for (q = 0; q < dev->data->nb_tx_queues; q++)
		dev->data->tx_queue_state[q] = RTE_ETH_QUEUE_STATE_STOPPED;
	return 0;
}

static void *
queue_alloc(void **slot, size_t size, unsigned int socket)
{
	rte_free(*slot);
	*slot = rte_zmalloc_socket("netfront_queue", size, RTE_CACHE_LINE_SIZE,
				   socket);
	return *slot;
}

/*
 * The rings' size is the protocol's. The grants, RX pages included, are
 * made at dev_start: mp gives every mbuf the application receives.
 */
static int
netfront_rxq_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
		   unsigned int socket, const struct rte_eth_rxconf *conf,
		   struct rte_mempool *mp)
{
	struct netfront_adapter *ad = dev->data->dev_private;
	struct netfront_rxq *rxq;

	if (nb_desc != NET_RX_RING_SIZE)
		PMD_DRV_LOG(INFO, "vif%u: RX ring size is fixed at %u, "
			    "ignoring %u", ad->args.vif, NET_RX_RING_SIZE,
			    nb_desc);
	rxq = queue_alloc(&dev->data->rx_queues[qid], sizeof(*rxq),
			  socket);
	if (rxq == NULL)
		return -ENOMEM;
	rxq->ad = ad;
	rxq->qid = qid;
	rxq->mp = mp;
	return 0;
}

static int
netfront_txq_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
		   unsigned int socket, const struct rte_eth_txconf *conf)
{
	struct netfront_adapter *ad = dev->data->dev_private;
	struct netfront_txq *txq;

	if (nb_desc != NET_TX_RING_SIZE)
		PMD_DRV_LOG(INFO, "vif%u: TX ring size is fixed at %u, "
			    "ignoring %u", ad->args.vif, NET_TX_RING_SIZE,
			    nb_desc);
	txq = queue_alloc(&dev->data->tx_queues[qid], sizeof(*txq),
			  socket);
	if (txq == NULL)
		return -ENOMEM;
	txq->ad = ad;
	txq->qid = qid;
	return 0;
}

static void
netfront_rxq_release(struct rte_eth_dev *dev, uint16_t qid)
{
	rte_free(dev->data->rx_queues[qid]);
	dev->data->rx_queues[qid] = NULL;
}

static void
netfront_txq_release(struct rte_eth_dev *dev, uint16_t qid)
{
	rte_free(dev->data->tx_queues[qid]);
	dev->data->tx_queues[qid] = NULL;
}

static void
netfront_rxq_info_get(struct rte_eth_dev *dev, uint16_t qid,
		      struct rte_eth_rxq_info *qinfo)
{
	const struct netfront_adapter *ad = dev->data->dev_private;
	const struct netfront_rxq *rxq = dev->data->rx_queues[qid];

	qinfo->mp = rxq->mp;
	qinfo->nb_desc = NET_RX_RING_SIZE;
	qinfo->scattered_rx = ad->rx_sg;
	qinfo->conf.offloads = dev->data->dev_conf.rxmode.offloads;
}

static void
netfront_txq_info_get(struct rte_eth_dev *dev, uint16_t qid __rte_unused,
		      struct rte_eth_txq_info *qinfo)
{
	qinfo->nb_desc = NET_TX_RING_SIZE;
	qinfo->conf.offloads = dev->data->dev_conf.txmode.offloads;
}

/* Trusted, RX lends the granted pages and TX sends them back in place. */
static int
burst_mode(struct rte_eth_dev *dev, struct rte_eth_burst_mode *mode,
	   const char *trusted)
{
	const struct netfront_adapter *ad = dev->data->dev_private;

	snprintf(mode->info, sizeof(mode->info), "%s",
		 ad->trusted ? trusted : "Scalar, copy");
	return 0;
}

static int
netfront_rx_burst_mode_get(struct rte_eth_dev *dev, uint16_t qid __rte_unused,
			   struct rte_eth_burst_mode *mode)
{
	return burst_mode(dev, mode, "Scalar, granted pages lent");
}

static int
netfront_tx_burst_mode_get(struct rte_eth_dev *dev, uint16_t qid __rte_unused,
			   struct rte_eth_burst_mode *mode)
{
	return burst_mode(dev, mode, "Scalar, copy; granted pages in place");
}

/* Answered requests give their buffers back: zero-copy pages above all. */
static int
netfront_tx_done_cleanup(void *queue, uint32_t free_cnt __rte_unused)
{
	struct netfront_txq *txq = queue;

	if (txq->ring.sring == NULL || txq->ad->failed)
		return 0;
	if (txq->qid == 0)
		netfront_mcast_sync(txq);
	return netfront_tx_reclaim(txq);
}

static int
netfront_link_update(struct rte_eth_dev *dev, int wait)
{
	struct netfront_adapter *ad = dev->data->dev_private;

	/* link_report keeps dev->data->dev_link; a failure shows at once. */
	if (ad->failed)
		link_set(ad, false);
	return 0;
}

/*
 * After the backend left and came back (RTE_ETH_EVENT_INTR_RESET), or to
 * follow a vif that was detached and attached again: the handshake from
 * the start, with the keys the toolstack wrote anew. ethdev has stopped
 * the port; the application configures and starts it again.
 */
static int
netfront_reset(struct rte_eth_dev *dev)
{
	struct netfront_adapter *ad = dev->data->dev_private;
	int rc;

	netfront_xb_detach(ad, false);
	rc = netfront_xb_attach(ad);
	if (rc != 0)
		return rc;
	rte_ether_addr_copy(&ad->mac, dev->data->mac_addrs);
	PMD_DRV_LOG(INFO, "vif%u: reset, backend %s at InitWait",
		    ad->args.vif, ad->be_path);
	return 0;
}

static int
netfront_close(struct rte_eth_dev *dev)
{
	struct netfront_adapter *ad = dev->data->dev_private;
	unsigned int q;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return 0;
	for (q = 0; q < dev->data->nb_rx_queues; q++)
		netfront_rxq_release(dev, q);
	for (q = 0; q < dev->data->nb_tx_queues; q++)
		netfront_txq_release(dev, q);
	netfront_xb_detach(ad, true);
	if (!netfront_rxpool_adopt_xp(ad->xp))
		xenplat_close(ad->xp);
	ad->xp = NULL;
	return 0;
}

static const struct eth_dev_ops netfront_ops = {
	.dev_configure = netfront_configure,
	.dev_infos_get = netfront_infos_get,
	.dev_start = netfront_start,
	.dev_stop = netfront_stop,
	.dev_close = netfront_close,
	.dev_reset = netfront_reset,
	.mtu_set = netfront_mtu_set,
	.allmulticast_enable = netfront_allmulti_enable,
	.allmulticast_disable = netfront_allmulti_disable,
	.set_mc_addr_list = netfront_mcast_set,
	.link_update = netfront_link_update,
	.rx_queue_setup = netfront_rxq_setup,
	.tx_queue_setup = netfront_txq_setup,
	.rx_queue_release = netfront_rxq_release,
	.tx_queue_release = netfront_txq_release,
	.tx_done_cleanup = netfront_tx_done_cleanup,
	.rxq_info_get = netfront_rxq_info_get,
	.txq_info_get = netfront_txq_info_get,
	.rx_burst_mode_get = netfront_rx_burst_mode_get,
	.tx_burst_mode_get = netfront_tx_burst_mode_get,
	.rx_queue_intr_enable = netfront_rx_intr_enable,
	.rx_queue_intr_disable = netfront_rx_intr_disable,
	.stats_get = netfront_stats_get,
	.stats_reset = netfront_stats_reset,
	.xstats_get = netfront_xstats_get,
	.xstats_get_names = netfront_xstats_get_names,
	.xstats_reset = netfront_stats_reset,
};

static int
netfront_probe(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	struct netfront_adapter *ad;
	struct netfront_args args = { 0 };
	struct rte_eth_dev *dev;
	char err[256];
	int rc;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		/* gntalloc and evtchn bind to the process that opened them. */
		PMD_DRV_LOG(ERR, "%s: a secondary process cannot use the port: "
			    "its grants and event channels are the primary's "
			    "(read its state through the primary's telemetry, "
			    "/ethdev/stats and /netfront/info)", name);
		return -ENOTSUP;
	}
	rc = parse_args(name, rte_vdev_device_args(vdev), &args);
	if (rc != 0)
		return rc;
	dev = rte_eth_vdev_allocate(vdev, sizeof(*ad));
	if (dev == NULL)
		return -ENOMEM;
	ad = dev->data->dev_private;
	ad->args = args;
	ad->dev = dev;
	ad->link_lost = link_lost;
	ad->xp = xenplat_open(args.xensim[0] != '\0' ? args.xensim : NULL,
			      err, sizeof(err));
	if (ad->xp == NULL) {
		PMD_DRV_LOG(ERR, "%s: %s: %s", name,
			    args.xensim[0] != '\0' ? args.xensim :
			    "no Xen (/dev/xen)", err);
		rc = -ENODEV;
		goto fail;
	}
	rc = netfront_xb_attach(ad);
	if (rc != 0)
		goto fail;
	if (args.queues > ad->feat.max_queues) {
		PMD_DRV_LOG(ERR, "%s: devarg queues=%u, but the backend "
			    "offers %u (multi-queue-max-queues)", name,
			    args.queues, ad->feat.max_queues);
		rc = -EINVAL;
		goto fail_detach;
	}
	ad->max_queues = args.queues != 0 ? args.queues :
		RTE_MIN(ad->feat.max_queues, (unsigned int)NETFRONT_MAX_QUEUES);
	dev->data->mac_addrs = rte_zmalloc(name, RTE_ETHER_ADDR_LEN, 0);
	if (dev->data->mac_addrs == NULL) {
		rc = -ENOMEM;
		goto fail_detach;
	}
	rte_ether_addr_copy(&ad->mac, dev->data->mac_addrs);
	dev->data->mtu = ad->mtu;
	/*
	 * What reaches the vif is the backend's bridge's choice: the port
	 * takes all it is given and cannot ask for more. Multicast it may
	 * filter, with feature-multicast-control (netfront_mcast.c).
	 */
	dev->data->promiscuous = 1;
	dev->data->all_multicast = 1;
	rte_spinlock_init(&ad->mc.lock);
	dev->data->dev_flags |= RTE_ETH_DEV_INTR_LSC | RTE_ETH_DEV_INTR_RMV |
				RTE_ETH_DEV_AUTOFILL_QUEUE_XSTATS;
	dev->dev_ops = &netfront_ops;
	dev->rx_pkt_burst = netfront_rx_burst;
	dev->tx_pkt_burst = netfront_tx_burst;
	rte_eth_dev_probing_finish(dev);
	PMD_DRV_LOG(INFO, "%s: vif%u via %s, backend %s (dom%u), "
		    "%u queue(s), mtu %u, %s", name, args.vif,
		    xenplat_name(ad->xp), ad->be_path, ad->be_id,
		    ad->max_queues, ad->mtu, ad->trusted ?
		    "trusted: RX pages lent to the application" :
		    "untrusted: RX copied, no zero-copy TX");
	return 0;
fail_detach:
	netfront_xb_detach(ad, true);
fail:
	if (ad->xp != NULL)
		xenplat_close(ad->xp);
	rte_eth_dev_release_port(dev);
	return rc;
}

static int
netfront_remove(struct rte_vdev_device *vdev)
{
	struct rte_eth_dev *dev;

	dev = rte_eth_dev_allocated(rte_vdev_device_name(vdev));
	if (dev == NULL)
		return 0;
	if (dev->data->dev_started)
		rte_eth_dev_stop(dev->data->port_id);
	return rte_eth_dev_close(dev->data->port_id);
}

static struct rte_vdev_driver netfront_vdev_driver = {
	.probe = netfront_probe,
	.remove = netfront_remove,
};

RTE_PMD_REGISTER_VDEV(net_netfront, netfront_vdev_driver);

#define NETFRONT_PARAMS \
	ARG_VIF "=<int> " \
	ARG_QUEUES "=<int> " \
	ARG_XENSIM "=<dir> " \
	ARG_UNBIND "=0|1 " \
	ARG_TIMEOUT "=<ms> " \
	ARG_RX_PAGES "=<int> " \
	ARG_SPLIT "=0|1 " \
	ARG_TRUSTED "=0|1"
RTE_PMD_REGISTER_PARAM_STRING(net_netfront, NETFRONT_PARAMS);

/*
 * What DPDK's own build generates for its drivers (pmdinfogen, which
 * Debian does not ship): the record dpdk-pmdinfo.py finds in .rodata.
 */
static const char netfront_pmd_info[] __rte_used =
	"PMD_INFO_STRING= {\"name\": \"net_netfront\", "
	"\"params\": \"" NETFRONT_PARAMS "\", \"pci_ids\": []}";
