/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Granted buffer pools. RX: whole pages shared writable with the backend,
 * wrapped in a pinned external-buffer mempool so that received pages reach
 * the application as mbufs without a copy (only packet data is granted, the
 * mbuf headers live in ordinary mempool memory). TX: read-only pages split
 * into two copy blocks each.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <ethdev_driver.h>
#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "xenplat.h"
#include "netfront.h"

struct netfront_rxpool {
	TAILQ_ENTRY(netfront_rxpool) next;
	struct rte_mempool *mp;
	struct xenplat *xp;
	uint8_t *base;
	unsigned int npages;
	uint16_t backend;
	bool close_xp;		/* the last retired pool of xp closes it */
	char domain[sizeof(((struct netfront_args *)0)->xensim)];
	uint32_t refs[];
};

/*
 * Every RX pool of the process, so TX can tell whether an mbuf already lies
 * in memory granted to its backend. Changed only on the control path; the
 * generation lets TX queues drop their lookup cache.
 */
static TAILQ_HEAD(, netfront_rxpool) rxpools = TAILQ_HEAD_INITIALIZER(rxpools);
static uint32_t rxpools_gen;
static uint32_t rxpools_serial;

/*
 * Released pools whose mbufs the application, or another port's TX ring,
 * still holds: their pages stay mapped and granted until every mbuf is
 * back, so the backend never reads a revoked grant and the application
 * never touches unmapped memory.
 */
static TAILQ_HEAD(, netfront_rxpool) retired = TAILQ_HEAD_INITIALIZER(retired);

/* Another retired pool than p that still uses xp, or NULL. */
static struct netfront_rxpool *
rxpool_xp_retired(const struct xenplat *xp, const struct netfront_rxpool *p)
{
	struct netfront_rxpool *o;

	TAILQ_FOREACH(o, &retired, next)
		if (o != p && o->xp == xp)
			return o;
	return NULL;
}

struct netfront_rxpool *
netfront_rxpool_create(struct netfront_adapter *ad, uint16_t qid, int socket)
{
	struct rte_pktmbuf_extmem ext;
	struct netfront_rxpool *p;
	char name[RTE_MEMPOOL_NAMESIZE];
	unsigned int n = ad->args.rx_pages;

	p = rte_zmalloc_socket("netfront_rxpool",
			       sizeof(*p) + n * sizeof(p->refs[0]), 0, socket);
	if (p == NULL) {
		PMD_DRV_LOG(ERR, "vif%u rxq%u: no memory for the page pool",
			    ad->args.vif, qid);
		return NULL;
	}
	p->base = xenplat_share(ad->xp, ad->be_id, n, true, p->refs);
	if (p->base == NULL) {
		PMD_DRV_LOG(ERR, "vif%u rxq%u: cannot grant %u RX pages: %s",
			    ad->args.vif, qid, n, xenplat_strerror(ad->xp));
		rte_free(p);
		return NULL;
	}
	p->xp = ad->xp;
	p->npages = n;
	p->backend = ad->be_id;
	memcpy(p->domain, ad->args.xensim, sizeof(p->domain));

	ext.buf_ptr = p->base;
	ext.buf_iova = rte_eal_iova_mode() == RTE_IOVA_VA ?
		(rte_iova_t)(uintptr_t)p->base : RTE_BAD_IOVA;
	ext.buf_len = (size_t)n * NETFRONT_PAGE_SIZE;
	ext.elt_size = NETFRONT_PAGE_SIZE;
	snprintf(name, sizeof(name), "nfrx%u_%u_%u", ad->dev->data->port_id,
		 qid, rxpools_serial++);
	/* No per-lcore cache: every page must stay countable. */
	p->mp = rte_pktmbuf_pool_create_extbuf(name, n, 0, 0,
					       NETFRONT_PAGE_SIZE, socket,
					       &ext, 1);
	if (p->mp == NULL) {
		PMD_DRV_LOG(ERR, "vif%u rxq%u: cannot create mempool %s: %s",
			    ad->args.vif, qid, name, rte_strerror(rte_errno));
		xenplat_unshare(ad->xp, p->base, n);
		rte_free(p);
		return NULL;
	}
	TAILQ_INSERT_TAIL(&rxpools, p, next);
	rxpools_gen++;
	return p;
}

/* Free p if every one of its mbufs is back; false while some are out. */
static bool
rxpool_free(struct netfront_rxpool *p)
{
	struct netfront_rxpool *o;

	if (rte_mempool_avail_count(p->mp) != p->npages)
		return false;
	rte_mempool_free(p->mp);
	if (xenplat_unshare(p->xp, p->base, p->npages) != 0)
		PMD_DRV_LOG(WARNING, "RX pages still in use by the backend: "
			    "released once it lets go");
	if (p->close_xp) {
		o = rxpool_xp_retired(p->xp, p);
		if (o != NULL)
			o->close_xp = true;
		else
			xenplat_close(p->xp);
	}
	rte_free(p);
	return true;
}

void
netfront_rxpool_reap(void)
{
	struct netfront_rxpool *p, *tmp;

	for (p = TAILQ_FIRST(&retired); p != NULL; p = tmp) {
		tmp = TAILQ_NEXT(p, next);
		if (rte_mempool_avail_count(p->mp) != p->npages)
			continue;
		TAILQ_REMOVE(&retired, p, next);
		rxpool_free(p);
	}
}

void
netfront_rxpool_destroy(struct netfront_rxpool *p)
{
	if (p == NULL)
		return;
	TAILQ_REMOVE(&rxpools, p, next);
	rxpools_gen++;
	if (rxpool_free(p))
		return;
	PMD_DRV_LOG(NOTICE, "pool %s: %u mbufs still held; its pages stay "
		    "granted until they are freed", p->mp->name,
		    p->npages - rte_mempool_avail_count(p->mp));
	TAILQ_INSERT_TAIL(&retired, p, next);
}

bool
netfront_rxpool_adopt_xp(struct xenplat *xp)
{
	struct netfront_rxpool *p;

	netfront_rxpool_reap();
	TAILQ_FOREACH(p, &retired, next)
		if (p->xp == xp) {
			p->close_xp = true;
			return true;
		}
	return false;
}

struct rte_mempool *
netfront_rxpool_mempool(const struct netfront_rxpool *p)
{
	return p->mp;
}

uint32_t
netfront_rxpool_gref(const struct netfront_rxpool *p, const struct rte_mbuf *m)
{
	uintptr_t off = (uintptr_t)m->buf_addr - (uintptr_t)p->base;

	return p->refs[off >> NETFRONT_PAGE_SHIFT];
}

/* The pool of mp if its pages are granted to ad's backend, else NULL. */
const struct netfront_rxpool *
netfront_rxpool_lookup(const struct rte_mempool *mp,
		       const struct netfront_adapter *ad)
{
	const struct netfront_rxpool *p;

	TAILQ_FOREACH(p, &rxpools, next)
		if (p->mp == mp)
			return p->backend == ad->be_id &&
			       strcmp(p->domain, ad->args.xensim) == 0 ?
			       p : NULL;
	return NULL;
}

uint32_t
netfront_rxpool_generation(void)
{
	return rxpools_gen;
}

/* True when the segment's data lies in one page of pool p. */
bool
netfront_rxpool_holds(const struct netfront_rxpool *p,
		      const struct rte_mbuf *m)
{
	uintptr_t off = (uintptr_t)m->buf_addr - (uintptr_t)p->base;

	return off < (uintptr_t)p->npages * NETFRONT_PAGE_SIZE &&
	       (off & (NETFRONT_PAGE_SIZE - 1)) == 0 &&
	       m->data_off + m->data_len <= NETFRONT_PAGE_SIZE;
}

int
netfront_txblocks_create(struct netfront_adapter *ad,
			 struct netfront_txblocks *blk)
{
	blk->base = xenplat_share(ad->xp, ad->be_id, NETFRONT_TX_PAGES, false,
				  blk->refs);
	if (blk->base == NULL) {
		PMD_DRV_LOG(ERR, "vif%u: cannot grant %u TX pages: %s",
			    ad->args.vif, NETFRONT_TX_PAGES,
			    xenplat_strerror(ad->xp));
		return -ENOMEM;
	}
	return 0;
}

void
netfront_txblocks_destroy(struct netfront_adapter *ad,
			  struct netfront_txblocks *blk)
{
	if (blk->base == NULL)
		return;
	if (xenplat_unshare(ad->xp, blk->base, NETFRONT_TX_PAGES) != 0)
		PMD_DRV_LOG(WARNING, "vif%u: TX pages still in use by the "
			    "backend: released once it lets go", ad->args.vif);
	blk->base = NULL;
}
