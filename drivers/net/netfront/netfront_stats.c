/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Basic stats and per-queue xstats, among them the counters of protocol
 * violations by the backend. ethdev adds each queue's packets and bytes
 * (RTE_ETH_DEV_AUTOFILL_QUEUE_XSTATS, from q_ipackets and the like): the
 * driver lists only what those do not hold.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <ethdev_driver.h>

#include "netfront.h"

/* An RX queue's counters: its ring's and those of the rings it polls. */
static void
rxq_stats(const struct netfront_rxq *rxq, struct netfront_qstats *st)
{
	memset(st, 0, sizeof(*st));
	for (; rxq != NULL; rxq = rxq->next)
		netfront_qstats_add(st, &rxq->st);
}

void
netfront_queue_stats(const struct rte_eth_dev *dev, bool rx,
		     unsigned int qid, struct netfront_qstats *st)
{
	const struct netfront_txq *txq;

	if (rx) {
		rxq_stats(dev->data->rx_queues[qid], st);
		return;
	}
	txq = dev->data->tx_queues[qid];
	if (txq != NULL)
		*st = txq->st;
	else
		memset(st, 0, sizeof(*st));
}

int
netfront_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *st)
{
	struct netfront_qstats rx;
	unsigned int q;

	for (q = 0; q < dev->data->nb_rx_queues; q++) {
		const struct netfront_rxq *rxq = dev->data->rx_queues[q];

		if (rxq == NULL)
			continue;
		rxq_stats(rxq, &rx);
		st->ipackets += rx.packets;
		st->ibytes += rx.bytes;
		st->ierrors += rx.errors;
		st->rx_nombuf += rx.nombuf;
		if (q < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			st->q_ipackets[q] = rx.packets;
			st->q_ibytes[q] = rx.bytes;
			st->q_errors[q] = rx.errors;
		}
	}
	for (q = 0; q < dev->data->nb_tx_queues; q++) {
		const struct netfront_txq *txq = dev->data->tx_queues[q];

		if (txq == NULL)
			continue;
		st->opackets += txq->st.packets;
		st->obytes += txq->st.bytes;
		st->oerrors += txq->st.errors;
		if (q < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			st->q_opackets[q] = txq->st.packets;
			st->q_obytes[q] = txq->st.bytes;
		}
	}
	return 0;
}

int
netfront_stats_reset(struct rte_eth_dev *dev)
{
	unsigned int q;

	for (q = 0; q < dev->data->nb_rx_queues; q++) {
		struct netfront_rxq *rxq;

		for (rxq = dev->data->rx_queues[q]; rxq != NULL;
		     rxq = rxq->next)
			memset(&rxq->st, 0, sizeof(rxq->st));
	}
	for (q = 0; q < dev->data->nb_tx_queues; q++) {
		struct netfront_txq *txq = dev->data->tx_queues[q];

		if (txq != NULL)
			memset(&txq->st, 0, sizeof(txq->st));
	}
	return 0;
}

/* A queue's xstats beyond ethdev's: RX queues' first, then TX queues'. */
struct qxstat {
	const char *name;
	unsigned int off;	/* in struct netfront_qstats */
};
#define QX(name, field) { name, offsetof(struct netfront_qstats, field) }
#define QX_VIOLATIONS \
	QX("violation_rsp_prod", viol[NETFRONT_VIOL_RSP_PROD]), \
	QX("violation_rsp_id", viol[NETFRONT_VIOL_RSP_ID]), \
	QX("violation_rsp_size", viol[NETFRONT_VIOL_RSP_SIZE]), \
	QX("violation_rsp_status", viol[NETFRONT_VIOL_RSP_STATUS]), \
	QX("violation_rsp_flags", viol[NETFRONT_VIOL_RSP_FLAGS])
static const struct qxstat rx_qxstats[] = {
	QX("nombuf", nombuf), QX("refill_short", refill_short),
	QX("notifies", notifies), QX("lro", gso), QX_VIOLATIONS,
};
/* ethdev has no per-queue TX errors. */
static const struct qxstat tx_qxstats[] = {
	QX("errors", errors), QX("zerocopy", zerocopy),
	QX("notifies", notifies), QX("tso", gso), QX_VIOLATIONS,
};
static_assert(NETFRONT_VIOL_MAX == 5, "a name for every violation");

static unsigned int
xstats_count(struct rte_eth_dev *dev)
{
	return dev->data->nb_rx_queues * RTE_DIM(rx_qxstats) +
	       dev->data->nb_tx_queues * RTE_DIM(tx_qxstats);
}

/* Xstat i: its description, its direction and queue. */
static void
xstats_at(struct rte_eth_dev *dev, unsigned int i, const struct qxstat **x,
	  bool *rx, unsigned int *qid)
{
	unsigned int nrx = dev->data->nb_rx_queues * RTE_DIM(rx_qxstats);

	*rx = i < nrx;
	if (*rx) {
		*qid = i / RTE_DIM(rx_qxstats);
		*x = &rx_qxstats[i % RTE_DIM(rx_qxstats)];
		return;
	}
	i -= nrx;
	*qid = i / RTE_DIM(tx_qxstats);
	*x = &tx_qxstats[i % RTE_DIM(tx_qxstats)];
}

int
netfront_xstats_get_names(struct rte_eth_dev *dev,
			  struct rte_eth_xstat_name *names, unsigned int size)
{
	unsigned int i, n = xstats_count(dev), qid;
	const struct qxstat *x;
	bool rx;

	if (names == NULL || size < n)
		return n;
	for (i = 0; i < n; i++) {
		xstats_at(dev, i, &x, &rx, &qid);
		snprintf(names[i].name, sizeof(names[i].name), "%s_q%u_%s",
			 rx ? "rx" : "tx", qid, x->name);
	}
	return n;
}

int
netfront_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xs,
		    unsigned int size)
{
	unsigned int i, n = xstats_count(dev), qid;
	struct netfront_qstats st;
	const struct qxstat *x;
	bool rx;

	if (xs == NULL || size < n)
		return n;
	for (i = 0; i < n; i++) {
		xstats_at(dev, i, &x, &rx, &qid);
		/* Once a queue, at its first xstat: RX sums its rings. */
		if (x == (rx ? rx_qxstats : tx_qxstats))
			netfront_queue_stats(dev, rx, qid, &st);
		xs[i].id = i;
		xs[i].value = *(const uint64_t *)((const char *)&st + x->off);
	}
	return n;
}
