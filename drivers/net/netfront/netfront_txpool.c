/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TX pools (rte_pmd_netfront.h): mbufs whose data buffers lie in pages
 * granted read-only to one port's backend, which TX posts in place. The
 * pool is DPDK's pinned external buffer mempool: the mbufs stay in
 * ordinary memory, only the buffers are granted.
 */
#include <stdio.h>
#include <string.h>

#include <ethdev_driver.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_spinlock.h>

#include "xenplat.h"
#include "netfront.h"
#include "rte_pmd_netfront.h"

#define MAX_TXPOOLS	NETFRONT_MAX_TXPOOLS

/* The mempools sit apart from the regions: a lookup reads two lines. */
const struct rte_mempool *netfront_txpool_mp[MAX_TXPOOLS];
struct netfront_region netfront_txpool_reg[MAX_TXPOOLS];
/* What the control path keeps of slot i besides its region. */
static struct {
	struct xenplat *xp;
	uint32_t *refs;
} txpools[MAX_TXPOOLS];
static rte_spinlock_t txpools_lock = RTE_SPINLOCK_INITIALIZER;

/* Locked. */
static unsigned int
txpool_pages(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < MAX_TXPOOLS; i++)
		if (netfront_txpool_mp[i] != NULL)
			n += netfront_txpool_reg[i].npages;
	return n;
}

unsigned int
netfront_txpool_pages(void)
{
	unsigned int n;

	rte_spinlock_lock(&txpools_lock);
	n = txpool_pages();
	rte_spinlock_unlock(&txpools_lock);
	return n;
}

/* A free slot, or MAX_TXPOOLS when there is none. Locked. */
static unsigned int
txpool_slot(void)
{
	unsigned int i;

	for (i = 0; i < MAX_TXPOOLS; i++)
		if (netfront_txpool_mp[i] == NULL && txpools[i].refs == NULL)
			break;
	return i;
}

static void
txpool_release(unsigned int i)
{
	struct netfront_region *r = &netfront_txpool_reg[i];

	if (r->base != NULL &&
	    xenplat_unshare(txpools[i].xp, r->base, r->npages) != 0)
		PMD_DRV_LOG(WARNING, "TX pool pages still in use by the "
			    "backend: released once it lets go");
	xenplat_close(txpools[i].xp);
	rte_free(txpools[i].refs);
	r->base = NULL;
	txpools[i].xp = NULL;
	txpools[i].refs = NULL;
}

/* The pages, granted to ad's backend, of slot i; 0 or a negative errno. */
static int
txpool_share(const struct netfront_adapter *ad, unsigned int i,
	     unsigned int npages, int socket)
{
	struct netfront_region *r = &netfront_txpool_reg[i];
	char err[256];

	txpools[i].refs = rte_zmalloc_socket("netfront_txpool",
					     npages * sizeof(uint32_t), 0,
					     socket);
	if (txpools[i].refs == NULL)
		return -ENOMEM;
	/* Its own handle: the pool may outlive the port. */
	txpools[i].xp = xenplat_open(ad->args.xensim[0] != '\0' ?
				     ad->args.xensim : NULL, err, sizeof(err));
	if (txpools[i].xp == NULL) {
		PMD_DRV_LOG(ERR, "vif%u: TX pool: %s", ad->args.vif, err);
		return -ENODEV;
	}
	netfront_region_init(r, ad, npages, txpools[i].refs);
	r->base = xenplat_share(txpools[i].xp, ad->be_id, npages, false,
				txpools[i].refs);
	if (r->base == NULL) {
		PMD_DRV_LOG(ERR, "vif%u: TX pool: cannot grant %u pages: %s",
			    ad->args.vif, npages,
			    xenplat_strerror(txpools[i].xp));
		return -ENOMEM;
	}
	return 0;
}

/* npages fit in gntalloc's limit with all else held. Locked. */
static int
txpool_fits(const struct netfront_adapter *ad, unsigned int npages)
{
	unsigned int limit = xenplat_grant_limit(ad->xp);
	unsigned int held = netfront_queues_grants(NULL) + txpool_pages();

	if (limit == 0 || held + npages <= limit)
		return 0;
	PMD_DRV_LOG(ERR, "vif%u: a TX pool of %u pages, but this guest may "
		    "grant %u in all (gntalloc's limit) and this process's "
		    "ports and TX pools hold %u: raise "
		    "/sys/module/xen_gntalloc/parameters/limit to %u or more, "
		    "or make the pool smaller", ad->args.vif, npages, limit,
		    held, held + npages);
	return -ENOSPC;
}

struct rte_mempool *
rte_pmd_netfront_tx_pool_create(uint16_t port_id, const char *name,
				unsigned int n, unsigned int cache_size,
				uint16_t priv_size, int socket_id)
{
	const struct netfront_adapter *ad = netfront_adapter_of(port_id);

	if (ad == NULL || n == 0) {
		PMD_DRV_LOG(ERR, "TX pool %s: port %u is no net_netfront port, "
			    "or no mbufs asked for", name, port_id);
		rte_errno = EINVAL;
		return NULL;
	}
	return netfront_txpool_create(ad, name, n, cache_size, priv_size,
				      socket_id);
}

struct rte_mempool *
netfront_txpool_create(const struct netfront_adapter *ad, const char *name,
		       unsigned int n, unsigned int cache_size,
		       uint16_t priv_size, int socket_id)
{
	unsigned int npages = (n + 1) / 2, i;
	struct rte_pktmbuf_extmem ext;
	struct rte_mempool *mp = NULL;
	uint8_t *base;
	int rc;

	if (!ad->trusted) {
		PMD_DRV_LOG(ERR, "vif%u: TX pool %s: trusted=0, the driver "
			    "shares no application memory with the backend",
			    ad->args.vif, name);
		rte_errno = EPERM;
		return NULL;
	}
	rte_spinlock_lock(&txpools_lock);
	i = txpool_slot();
	if (i == MAX_TXPOOLS) {
		PMD_DRV_LOG(ERR, "vif%u: TX pool %s: %u pools exist already",
			    ad->args.vif, name, MAX_TXPOOLS);
		rc = -ENOSPC;
		goto out;
	}
	rc = txpool_fits(ad, npages);
	if (rc == 0)
		rc = txpool_share(ad, i, npages, socket_id);
	if (rc != 0)
		goto fail;
	base = netfront_txpool_reg[i].base;
	ext = (struct rte_pktmbuf_extmem){
		.buf_ptr = base,
		/* Not pinned for DMA: only an IOVA-as-VA process has one. */
		.buf_iova = rte_eal_iova_mode() == RTE_IOVA_VA ?
			    (rte_iova_t)(uintptr_t)base : RTE_BAD_IOVA,
		.buf_len = (size_t)npages * NETFRONT_PAGE_SIZE,
		.elt_size = RTE_PMD_NETFRONT_TX_BUF_SIZE,
	};
	mp = rte_pktmbuf_pool_create_extbuf(name, n, cache_size, priv_size,
					    RTE_PMD_NETFRONT_TX_BUF_SIZE,
					    socket_id, &ext, 1);
	if (mp == NULL) {
		rc = -rte_errno;
		PMD_DRV_LOG(ERR, "vif%u: TX pool %s: %s", ad->args.vif, name,
			    rte_strerror(rte_errno));
		goto fail;
	}
	__atomic_store_n(&netfront_txpool_mp[i], mp, __ATOMIC_RELEASE);
	PMD_DRV_LOG(INFO, "vif%u: TX pool %s: %u mbufs in %u pages granted "
		    "read-only to dom%u", ad->args.vif, name, n, npages,
		    ad->be_id);
	goto out;
fail:
	txpool_release(i);
out:
	rte_spinlock_unlock(&txpools_lock);
	if (rc != 0)
		rte_errno = -rc;
	return mp;
}

int
rte_pmd_netfront_tx_pool_free(struct rte_mempool *mp)
{
	unsigned int i;
	int rc = 0;

	rte_spinlock_lock(&txpools_lock);
	for (i = 0; i < MAX_TXPOOLS; i++)
		if (mp != NULL && netfront_txpool_mp[i] == mp)
			break;
	if (i == MAX_TXPOOLS) {
		rc = -EINVAL;
	} else if (rte_mempool_avail_count(mp) != mp->size) {
		PMD_DRV_LOG(ERR, "TX pool %s: %u mbufs are out (held, or sent "
			    "and not answered yet): not freed", mp->name,
			    mp->size - rte_mempool_avail_count(mp));
		rc = -EBUSY;
	} else {
		__atomic_store_n(&netfront_txpool_mp[i], NULL,
				 __ATOMIC_RELEASE);
		rte_mempool_free(mp);
		txpool_release(i);
	}
	rte_spinlock_unlock(&txpools_lock);
	return rc;
}
