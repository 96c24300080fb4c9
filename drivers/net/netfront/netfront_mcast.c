/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The multicast filter of feature-multicast-control. The application's
 * list and all-multicast setting belong to the control path. The backend
 * learns the list from dummy TX requests, which only queue 0's TX path
 * may post (its bursts run there): a change reaches the backend with
 * dev_start, or with queue 0's next tx_burst or tx_done_cleanup. The
 * all-multicast switch is the ethdev layer's (request-multicast-control).
 */
#include <string.h>

#include <ethdev_driver.h>

#include "netfront.h"

bool
netfront_mcast_filtering(const struct netfront_adapter *ad)
{
	return ad->feat.mcast_ctrl && !ad->dev->data->all_multicast;
}

bool
netfront_mcast_offered(const struct netfront_adapter *ad, bool say)
{
	if (!ad->feat.mcast_ctrl && say)
		PMD_DRV_LOG(ERR, "vif%u: backend %s lacks "
			    "feature-multicast-control: it sends all "
			    "multicast", ad->args.vif, ad->be_path);
	return ad->feat.mcast_ctrl;
}

int
netfront_mcast_set(struct rte_eth_dev *dev, struct rte_ether_addr *addrs,
		   uint32_t n)
{
	struct netfront_adapter *ad = dev->data->dev_private;
	struct netfront_mcast *mc = &ad->mc;
	uint32_t i;

	if (!netfront_mcast_offered(ad, true))
		return -ENOTSUP;
	if (n > NETFRONT_MAX_MCAST) {
		PMD_DRV_LOG(ERR, "vif%u: %u multicast addresses, the backend "
			    "keeps %u", ad->args.vif, n, NETFRONT_MAX_MCAST);
		return -EINVAL;
	}
	for (i = 0; i < n; i++)
		if (!rte_is_multicast_ether_addr(&addrs[i]) ||
		    rte_is_broadcast_ether_addr(&addrs[i])) {
			PMD_DRV_LOG(ERR, "vif%u: address %u of the list is "
				    "not a multicast one", ad->args.vif, i);
			return -EINVAL;
		}
	rte_spinlock_lock(&mc->lock);
	memcpy(mc->app, addrs, n * sizeof(*addrs));
	mc->nb_app = n;
	__atomic_store_n(&mc->gen, mc->gen + 1, __ATOMIC_RELEASE);
	rte_spinlock_unlock(&mc->lock);
	return 0;
}

void
netfront_mcast_reset(struct netfront_adapter *ad)
{
	ad->mc.nb_backend = 0;
	ad->mc.synced = __atomic_load_n(&ad->mc.gen, __ATOMIC_ACQUIRE) - 1;
}

static bool
mcast_has(const struct rte_ether_addr *list, unsigned int n,
	  const struct rte_ether_addr *a)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (rte_is_same_ether_addr(&list[i], a))
			return true;
	return false;
}

void
netfront_mcast_sync(struct netfront_txq *txq)
{
	struct netfront_mcast *mc = &txq->ad->mc;
	struct rte_ether_addr want[NETFRONT_MAX_MCAST];
	unsigned int n, i;
	uint32_t gen;

	/* The data path does not wait: a control call is under way. */
	if (!rte_spinlock_trylock(&mc->lock))
		return;
	gen = mc->gen;
	n = mc->nb_app;
	memcpy(want, mc->app, n * sizeof(want[0]));
	rte_spinlock_unlock(&mc->lock);
	/* Deletions first, so that additions find room in a full list. */
	for (i = 0; i < mc->nb_backend;) {
		if (mcast_has(want, n, &mc->backend[i])) {
			i++;
			continue;
		}
		if (!netfront_tx_mcast(txq, &mc->backend[i], false))
			return;
		mc->backend[i] = mc->backend[--mc->nb_backend];
	}
	for (i = 0; i < n; i++) {
		if (mcast_has(mc->backend, mc->nb_backend, &want[i]))
			continue;
		if (!netfront_tx_mcast(txq, &want[i], true))
			return;
		mc->backend[mc->nb_backend++] = want[i];
	}
	mc->synced = gen;
}
