/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-queue connection state: the shared rings and event channels that
 * exist between dev_start and dev_stop, and the buffers they hold.
 */
#include <string.h>

#include <ethdev_driver.h>
#include <rte_malloc.h>

#include "xenplat.h"
#include "netfront.h"

RTE_LOG_REGISTER_SUFFIX(netfront_logtype, netfront, NOTICE);

struct netfront_adapter *
netfront_adapter_of(uint16_t port_id)
{
	struct rte_eth_dev *dev;

	if (!rte_eth_dev_is_valid_port(port_id))
		return NULL;
	dev = &rte_eth_devices[port_id];
	return dev->rx_pkt_burst == netfront_rx_burst ?
	       dev->data->dev_private : NULL;
}

unsigned int
netfront_pairs(const struct rte_eth_dev *dev)
{
	return RTE_MAX(dev->data->nb_rx_queues, dev->data->nb_tx_queues);
}

unsigned int
netfront_grants_need(unsigned int nq, unsigned int ntx, unsigned int rx)
{
	return nq * (2 + rx) + ntx * NETFRONT_TX_PAGES;
}

unsigned int
netfront_port_grants(const struct netfront_adapter *ad)
{
	const struct rte_eth_dev_data *data = ad->dev->data;

	return data->dev_started ?
	       netfront_grants_need(netfront_pairs(ad->dev),
				    data->nb_tx_queues, ad->rx_pages) : 0;
}

unsigned int
netfront_queues_grants(const struct netfront_adapter *except)
{
	unsigned int held = 0;
	uint16_t p;

	RTE_ETH_FOREACH_DEV(p) {
		const struct netfront_adapter *o = netfront_adapter_of(p);

		if (o != NULL && o != except)
			held += netfront_port_grants(o);
	}
	return held;
}

static void *
ring_share(struct netfront_adapter *ad, uint32_t *ref)
{
	void *page = xenplat_share(ad->xp, ad->be_id, 1, true, ref);

	if (page == NULL)
		PMD_DRV_LOG(ERR, "vif%u: cannot grant a ring page: %s",
			    ad->args.vif, xenplat_strerror(ad->xp));
	return page;
}

static void
ring_unshare(struct netfront_adapter *ad, void *sring)
{
	if (sring != NULL && xenplat_unshare(ad->xp, sring, 1) != 0)
		PMD_DRV_LOG(WARNING, "vif%u: ring page still in use by the "
			    "backend: released once it lets go", ad->args.vif);
}

static int
txq_connect(struct netfront_adapter *ad, struct netfront_txq *txq)
{
	netif_tx_sring_t *sring;

	/* A TX ring past the application's TX queues never sends. */
	if (txq->qid < ad->dev->data->nb_tx_queues &&
	    netfront_txblocks_create(ad, &txq->blk) != 0)
		return -ENOMEM;
	sring = ring_share(ad, &txq->ring_ref);
	if (sring == NULL)
		return -ENOMEM;
	SHARED_RING_INIT(sring);
	FRONT_RING_INIT(&txq->ring, sring, NETFRONT_PAGE_SIZE);
	txq->pushed = txq->ring.req_prod_pvt;
	netfront_idpool_init(&txq->ids, NET_TX_RING_SIZE);
	memset(txq->slot, 0, sizeof(txq->slot));
	txq->zc_held = 0;
	txq->extras = 0;
	txq->zc_reg = NULL;
	txq->violated = false;
	txq->evtchn = xenplat_evtchn_alloc(ad->xp, ad->be_id);
	if (txq->evtchn == NULL) {
		PMD_DRV_LOG(ERR, "vif%u: cannot allocate an event channel: %s",
			    ad->args.vif, xenplat_strerror(ad->xp));
		return -EIO;
	}
	return 0;
}

static int
rxq_connect(struct netfront_adapter *ad, struct netfront_rxq *rxq,
	    struct netfront_txq *txq)
{
	netif_rx_sring_t *sring;

	rxq->pool = netfront_rxpool_create(ad, rxq->qid, rxq->mp->socket_id);
	if (rxq->pool == NULL)
		return -ENOMEM;
	sring = ring_share(ad, &rxq->ring_ref);
	if (sring == NULL)
		return -ENOMEM;
	SHARED_RING_INIT(sring);
	FRONT_RING_INIT(&rxq->ring, sring, NETFRONT_PAGE_SIZE);
	netfront_idpool_init(&rxq->ids, NET_RX_RING_SIZE);
	memset(rxq->page, 0xff, sizeof(rxq->page));
	rxq->head = NULL;
	rxq->tail = NULL;
	rxq->nslots = 0;
	rxq->nstash = 0;
	rxq->discard = false;
	rxq->more = false;
	rxq->extra_next = false;
	rxq->extras_seen = 0;
	rxq->gso_size = 0;
	rxq->violated = false;
	rxq->turn = rxq;
	if (ad->feat.split_evtchn && ad->args.split_evtchn) {
		rxq->evtchn = xenplat_evtchn_alloc(ad->xp, ad->be_id);
		if (rxq->evtchn == NULL) {
			PMD_DRV_LOG(ERR, "vif%u: cannot allocate an event "
				    "channel: %s", ad->args.vif,
				    xenplat_strerror(ad->xp));
			return -EIO;
		}
	} else {
		rxq->evtchn = txq->evtchn;
	}
	netfront_rx_refill(rxq);
	return 0;
}

/*
 * After a restore the port belongs to the old domain: Linux cannot unbind
 * it, see xenplat_evtchn_abandon().
 */
static void
evtchn_release(struct netfront_adapter *ad, struct xenplat_evtchn *ch)
{
	if (ad->restored)
		xenplat_evtchn_abandon(ch);
	else
		xenplat_evtchn_free(ch);
}

/* Only after the backend let go: every buffer goes back, every grant ends. */
static void
txq_disconnect(struct netfront_adapter *ad, struct netfront_txq *txq)
{
	unsigned int i;

	for (i = 0; i < NET_TX_RING_SIZE; i++)
		if (txq->slot[i].m != NULL)
			rte_pktmbuf_free_seg(txq->slot[i].m);
	memset(txq->slot, 0, sizeof(txq->slot));
	txq->zc_held = 0;
	/* Those may have been the last pages of another port's pool. */
	netfront_rxpool_reap();
	ring_unshare(ad, txq->ring.sring);
	txq->ring.sring = NULL;
	if (txq->evtchn != NULL)
		evtchn_release(ad, txq->evtchn);
	txq->evtchn = NULL;
	netfront_txblocks_destroy(ad, &txq->blk);
}

static void
rxq_disconnect(struct netfront_adapter *ad, struct netfront_rxq *rxq,
	       struct netfront_txq *txq)
{
	struct netfront_rxpool *pool = rxq->pool;
	unsigned int i;

	for (i = 0; pool != NULL && pool->free != NULL &&
		    i < NET_RX_RING_SIZE; i++)
		if (rxq->page[i] != NETFRONT_NO_PAGE)
			netfront_rxpool_put(pool, rxq->page[i]);
	memset(rxq->page, 0xff, sizeof(rxq->page));
	rte_pktmbuf_free(rxq->head);
	rxq->head = NULL;
	rxq->tail = NULL;
	rte_pktmbuf_free_bulk(rxq->stash, rxq->nstash);
	rxq->nstash = 0;
	netfront_rxpool_destroy(pool);
	rxq->pool = NULL;
	ring_unshare(ad, rxq->ring.sring);
	rxq->ring.sring = NULL;
	if (rxq->evtchn != NULL && rxq->evtchn != txq->evtchn)
		evtchn_release(ad, rxq->evtchn);
	rxq->evtchn = NULL;
	rxq->next = NULL;
}

/*
 * Pair q's rings: the application's queues q, or past its RX or TX queues
 * rings of the driver's own, both or neither. Netback wants every queue's
 * keys, so an extra TX ring is set up, but nothing sends on it (it has no
 * TX blocks). An extra RX ring is polled by RX queue q % nb_rx_queues:
 * the backend steers flows to every queue itself.
 */
static int
pair_get(struct netfront_adapter *ad, unsigned int q)
{
	struct rte_eth_dev_data *data = ad->dev->data;
	struct netfront_rxq *owner = data->rx_queues[q % data->nb_rx_queues];
	bool own_tx = q >= data->nb_tx_queues, own_rx = q >= data->nb_rx_queues;
	struct netfront_txq *txq = own_tx ? NULL : data->tx_queues[q];
	struct netfront_rxq *rxq = owner;

	if (owner == NULL || (!own_tx && txq == NULL)) {
		PMD_DRV_LOG(ERR, "vif%u: queue %u is not set up",
			    ad->args.vif, q);
		return -EINVAL;
	}
	if (own_tx)
		txq = rte_zmalloc_socket("netfront_txq", sizeof(*txq),
					 RTE_CACHE_LINE_SIZE, data->numa_node);
	if (own_rx)
		rxq = rte_zmalloc_socket("netfront_rxq", sizeof(*rxq),
					 RTE_CACHE_LINE_SIZE,
					 owner->mp->socket_id);
	if (txq == NULL || rxq == NULL) {
		if (own_tx)
			rte_free(txq);
		if (own_rx)
			rte_free(rxq);
		return -ENOMEM;
	}
	if (own_tx) {
		txq->ad = ad;
		txq->qid = q;
	}
	if (own_rx) {
		rxq->ad = ad;
		rxq->qid = q;
		rxq->mp = owner->mp;
		rxq->next = owner->next;
		owner->next = rxq;
	}
	ad->pair_tx[q] = txq;
	ad->pair_rx[q] = rxq;
	return 0;
}

void
netfront_qstats_add(struct netfront_qstats *sum,
		    const struct netfront_qstats *st)
{
	uint64_t *d = (uint64_t *)sum;
	const uint64_t *s = (const uint64_t *)st;
	unsigned int i;

	static_assert(sizeof(*st) % sizeof(*s) == 0, "only counters");
	for (i = 0; i < sizeof(*st) / sizeof(*s); i++)
		d[i] += s[i];
}

/* Only after the backend let go: the driver's rings go with the pair. */
static void
pair_put(struct netfront_adapter *ad, unsigned int q)
{
	struct rte_eth_dev_data *data = ad->dev->data;
	struct netfront_rxq *owner = data->rx_queues[q % data->nb_rx_queues];
	struct netfront_txq *txq = ad->pair_tx[q];
	struct netfront_rxq *rxq = ad->pair_rx[q];

	/* rxq first: it may share txq's event channel. */
	rxq_disconnect(ad, rxq, txq);
	txq_disconnect(ad, txq);
	if (q >= data->nb_rx_queues) {
		/* Its counts stay with the queue that polled it. */
		netfront_qstats_add(&owner->st, &rxq->st);
		rte_free(rxq);
	}
	if (q >= data->nb_tx_queues)
		rte_free(txq);
	ad->pair_tx[q] = NULL;
	ad->pair_rx[q] = NULL;
}

void
netfront_queues_disconnect(struct netfront_adapter *ad)
{
	unsigned int q;

	if (ad->restored && ad->nr_queues > 0)
		PMD_DRV_LOG(WARNING, "vif%u: the old domain's event channels "
			    "stay bound: Linux cannot unbind a port from "
			    "before a restore (BUG_ON in "
			    "drivers/xen/evtchn.c), and hits that BUG_ON "
			    "when this process exits", ad->args.vif);
	for (q = 0; q < ad->nr_queues; q++)
		pair_put(ad, q);
	ad->nr_queues = 0;
}

int
netfront_queues_connect(struct netfront_adapter *ad)
{
	struct rte_eth_dev_data *data = ad->dev->data;
	unsigned int q;
	int rc;

	ad->nr_queues = netfront_pairs(ad->dev);
	if (data->nb_rx_queues != data->nb_tx_queues)
		PMD_DRV_LOG(INFO, "vif%u: %u RX and %u TX queues on %u queue "
			    "pairs: %s", ad->args.vif, data->nb_rx_queues,
			    data->nb_tx_queues, ad->nr_queues,
			    data->nb_rx_queues < data->nb_tx_queues ?
			    "RX queues poll the RX rings of the pairs past "
			    "theirs" : "the extra TX rings stay idle");
	for (q = 0; q < ad->nr_queues; q++) {
		rc = pair_get(ad, q);
		if (rc != 0)
			goto fail;
		rc = txq_connect(ad, ad->pair_tx[q]);
		if (rc == 0)
			rc = rxq_connect(ad, ad->pair_rx[q], ad->pair_tx[q]);
		if (rc != 0) {
			/* Undo this pair's half-done setup as well. */
			q++;
			goto fail;
		}
	}
	return 0;
fail:
	ad->nr_queues = q;
	netfront_queues_disconnect(ad);
	return rc;
}
