/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Granted buffer pools. RX: whole pages shared writable with the backend;
 * trusted, they are lent to the application as external buffers of mbufs
 * from its own mempool (only packet data is granted, never an mbuf
 * header); untrusted, they never leave the driver. TX: read-only pages
 * split into two copy blocks each.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <ethdev_driver.h>
#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>
#include <rte_spinlock.h>

#include "xenplat.h"
#include "netfront.h"

/*
 * Destroyed pools whose pages the application, or another port's TX ring,
 * still holds: they stay mapped and granted until every page is back, so
 * the backend never reads a revoked grant and the application never
 * touches unmapped memory. Control path only, but ports may be set up
 * from several threads.
 */
struct retired {
	TAILQ_ENTRY(retired) next;
	struct netfront_rxpool *p;
};
static TAILQ_HEAD(, retired) retired = TAILQ_HEAD_INITIALIZER(retired);
static rte_spinlock_t retired_lock = RTE_SPINLOCK_INITIALIZER;
static uint64_t pool_serial;

void
netfront_rxpage_free(void *addr, void *opaque)
{
	struct netfront_rxpool *p = opaque;

	netfront_rxpool_put(p, ((uintptr_t)addr - (uintptr_t)p->reg.base) >>
			    NETFRONT_PAGE_SHIFT);
}

static int
rxpool_lend(struct netfront_rxpool *p, const char *name, int socket)
{
	uint32_t pg;

	p->shinfo = rte_zmalloc_socket("netfront_shinfo",
				       p->reg.npages * sizeof(p->shinfo[0]), 0,
				       socket);
	p->free = rte_ring_create_elem(name, sizeof(uint32_t), p->reg.npages,
				       socket, RING_F_SC_DEQ | RING_F_EXACT_SZ);
	if (p->shinfo == NULL || p->free == NULL)
		return -ENOMEM;
	for (pg = 0; pg < p->reg.npages; pg++) {
		p->shinfo[pg].free_cb = netfront_rxpage_free;
		p->shinfo[pg].fcb_opaque = p;
		rte_ring_sp_enqueue_elem(p->free, &pg, sizeof(pg));
	}
	return 0;
}

static void
rxpool_free(struct netfront_rxpool *p)
{
	if (p->reg.base != NULL &&
	    xenplat_unshare(p->xp, p->reg.base, p->reg.npages) != 0)
		PMD_DRV_LOG(WARNING, "RX pages still in use by the backend: "
			    "released once it lets go");
	rte_ring_free(p->free);
	rte_free(p->shinfo);
	rte_free(p);
}

void
netfront_region_init(struct netfront_region *r,
		     const struct netfront_adapter *ad, unsigned int npages,
		     const uint32_t *refs)
{
	r->refs = refs;
	r->npages = npages;
	r->backend = ad->be_id;
	r->serial = __atomic_add_fetch(&pool_serial, 1, __ATOMIC_RELAXED);
	r->rx_pool = false;
	memcpy(r->domain, ad->args.xensim, sizeof(r->domain));
}

struct netfront_rxpool *
netfront_rxpool_create(struct netfront_adapter *ad, uint16_t qid, int socket)
{
	unsigned int n = ad->trusted ? ad->rx_pages : NET_RX_RING_SIZE;
	struct netfront_rxpool *p;
	char name[RTE_RING_NAMESIZE];

	p = rte_zmalloc_socket("netfront_rxpool",
			       sizeof(*p) + n * sizeof(p->refs[0]), 0, socket);
	if (p == NULL) {
		PMD_DRV_LOG(ERR, "vif%u rxq%u: no memory for the page pool",
			    ad->args.vif, qid);
		return NULL;
	}
	p->xp = ad->xp;
	netfront_region_init(&p->reg, ad, n, p->refs);
	p->reg.rx_pool = true;
	p->reg.base = xenplat_share(ad->xp, ad->be_id, n, true, p->refs);
	if (p->reg.base == NULL) {
		PMD_DRV_LOG(ERR, "vif%u rxq%u: cannot grant %u RX pages: %s",
			    ad->args.vif, qid, n, xenplat_strerror(ad->xp));
		rte_free(p);
		return NULL;
	}
	/* Not pinned for DMA: only an IOVA-as-VA process has one. */
	p->iova = rte_eal_iova_mode() == RTE_IOVA_VA ?
		(rte_iova_t)(uintptr_t)p->reg.base : RTE_BAD_IOVA;
	snprintf(name, sizeof(name), "nfrx%" PRIu64, p->reg.serial);
	if (ad->trusted && rxpool_lend(p, name, socket) != 0) {
		PMD_DRV_LOG(ERR, "vif%u rxq%u: no memory for the page ring: "
			    "%s", ad->args.vif, qid, rte_strerror(rte_errno));
		rxpool_free(p);
		return NULL;
	}
	return p;
}

/* True when no page is out: nothing but the ring holds one. */
static bool
rxpool_idle(const struct netfront_rxpool *p)
{
	return p->free == NULL || rte_ring_count(p->free) == p->reg.npages;
}

/* Another retired pool than p that still uses xp, or NULL. Locked. */
static struct netfront_rxpool *
retired_with_xp(const struct xenplat *xp, const struct netfront_rxpool *p)
{
	struct retired *r;

	TAILQ_FOREACH(r, &retired, next)
		if (r->p != p && r->p->xp == xp)
			return r->p;
	return NULL;
}

void
netfront_rxpool_reap(void)
{
	struct retired *r, *tmp;
	struct netfront_rxpool *o;
	struct xenplat *xp;

	rte_spinlock_lock(&retired_lock);
	for (r = TAILQ_FIRST(&retired); r != NULL; r = tmp) {
		tmp = TAILQ_NEXT(r, next);
		if (!rxpool_idle(r->p))
			continue;
		TAILQ_REMOVE(&retired, r, next);
		xp = r->p->close_xp ? r->p->xp : NULL;
		/* Its grants end through xp: close xp only after. */
		rxpool_free(r->p);
		free(r);
		if (xp == NULL)
			continue;
		o = retired_with_xp(xp, NULL);
		if (o != NULL)
			o->close_xp = true;
		else
			xenplat_close(xp);
	}
	rte_spinlock_unlock(&retired_lock);
}

void
netfront_rxpool_destroy(struct netfront_rxpool *p)
{
	struct retired *r;

	if (p == NULL)
		return;
	if (rxpool_idle(p)) {
		rxpool_free(p);
		return;
	}
	PMD_DRV_LOG(NOTICE, "RX pool %" PRIu64 ": the application holds %u "
		    "pages; they stay granted until it frees them",
		    p->reg.serial, p->reg.npages - rte_ring_count(p->free));
	r = malloc(sizeof(*r));
	if (r == NULL) {
		/* Leak it granted rather than free it under the app. */
		PMD_DRV_LOG(ERR, "RX pool %" PRIu64 ": no memory to retire it",
			    p->reg.serial);
		return;
	}
	r->p = p;
	rte_spinlock_lock(&retired_lock);
	TAILQ_INSERT_TAIL(&retired, r, next);
	rte_spinlock_unlock(&retired_lock);
}

bool
netfront_rxpool_adopt_xp(struct xenplat *xp)
{
	struct netfront_rxpool *p;

	netfront_rxpool_reap();
	rte_spinlock_lock(&retired_lock);
	p = retired_with_xp(xp, NULL);
	if (p != NULL)
		p->close_xp = true;
	rte_spinlock_unlock(&retired_lock);
	return p != NULL;
}

void
netfront_rxpool_attach(struct netfront_rxpool *p, uint16_t pg,
		       struct rte_mbuf *m)
{
	struct rte_mbuf_ext_shared_info *shinfo = &p->shinfo[pg];
	size_t off = (size_t)pg << NETFRONT_PAGE_SHIFT;

	rte_mbuf_ext_refcnt_set(shinfo, 1);
	rte_pktmbuf_attach_extbuf(m, p->reg.base + off,
				  p->iova == RTE_BAD_IOVA ?
				  RTE_BAD_IOVA : p->iova + off,
				  NETFRONT_PAGE_SIZE, shinfo);
}

void
netfront_rxpool_put(struct netfront_rxpool *p, uint16_t pg)
{
	uint32_t v = pg;

	/* Cannot fail: the ring holds every page. */
	rte_ring_mp_enqueue_elem(p->free, &v, sizeof(v));
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
