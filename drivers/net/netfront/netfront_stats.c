/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Basic stats and per-queue xstats, among them the counters of protocol
 * violations by the backend.
 */
#include <stdio.h>
#include <string.h>

#include <ethdev_driver.h>

#include "netfront.h"

int
netfront_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *st)
{
	unsigned int q;

	for (q = 0; q < dev->data->nb_rx_queues; q++) {
		const struct netfront_rxq *rxq = dev->data->rx_queues[q];

		if (rxq == NULL)
			continue;
		st->ipackets += rxq->st.packets;
		st->ibytes += rxq->st.bytes;
		st->ierrors += rxq->st.errors;
		st->rx_nombuf += rxq->st.nombuf_or_zc;
		if (q < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			st->q_ipackets[q] = rxq->st.packets;
			st->q_ibytes[q] = rxq->st.bytes;
			st->q_errors[q] = rxq->st.errors;
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
		struct netfront_rxq *rxq = dev->data->rx_queues[q];

		if (rxq != NULL)
			memset(&rxq->st, 0, sizeof(rxq->st));
	}
	for (q = 0; q < dev->data->nb_tx_queues; q++) {
		struct netfront_txq *txq = dev->data->tx_queues[q];

		if (txq != NULL)
			memset(&txq->st, 0, sizeof(txq->st));
	}
	return 0;
}

/* Per-queue xstats, in the order of struct netfront_qstats. */
static const char *const xstat_names[2][6] = {
	{ "packets", "bytes", "errors", "nombuf", "notifies", "lro" },
	{ "packets", "bytes", "errors", "zerocopy", "notifies", "tso" },
};
static const char *const viol_names[NETFRONT_VIOL_MAX] = {
	"violation_rsp_prod", "violation_rsp_id", "violation_rsp_size",
	"violation_rsp_status",
	"violation_rsp_flags",
};
#define NB_BASIC_XSTATS	RTE_DIM(xstat_names[0])
#define NB_QXSTATS	(NB_BASIC_XSTATS + NETFRONT_VIOL_MAX)
static_assert(sizeof(struct netfront_qstats) ==
	      NB_QXSTATS * sizeof(uint64_t), "xstat names match qstats");

static unsigned int
xstats_count(struct rte_eth_dev *dev)
{
	return (dev->data->nb_rx_queues + dev->data->nb_tx_queues) *
	       NB_QXSTATS;
}

/* Which queue's counters xstat i is: RX queues first, then TX. */
static const struct netfront_qstats *
xstats_queue(struct rte_eth_dev *dev, unsigned int i, bool *rx,
	     unsigned int *qid)
{
	unsigned int q = i / NB_QXSTATS;
	const struct netfront_txq *txq;
	const struct netfront_rxq *rxq;

	*rx = q < dev->data->nb_rx_queues;
	if (*rx) {
		rxq = dev->data->rx_queues[q];
		*qid = q;
		return rxq != NULL ? &rxq->st : NULL;
	}
	*qid = q - dev->data->nb_rx_queues;
	txq = dev->data->tx_queues[*qid];
	return txq != NULL ? &txq->st : NULL;
}

int
netfront_xstats_get_names(struct rte_eth_dev *dev,
			  struct rte_eth_xstat_name *names, unsigned int size)
{
	unsigned int i, n = xstats_count(dev), qid;
	bool rx;

	if (names == NULL || size < n)
		return n;
	for (i = 0; i < n; i++) {
		unsigned int k = i % NB_QXSTATS;

		xstats_queue(dev, i, &rx, &qid);
		snprintf(names[i].name, sizeof(names[i].name), "%s_q%u_%s",
			 rx ? "rx" : "tx", qid, k < NB_BASIC_XSTATS ?
			 xstat_names[!rx][k] : viol_names[k - NB_BASIC_XSTATS]);
	}
	return n;
}

int
netfront_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xs,
		    unsigned int size)
{
	unsigned int i, n = xstats_count(dev), qid;
	bool rx;

	if (xs == NULL || size < n)
		return n;
	for (i = 0; i < n; i++) {
		const struct netfront_qstats *st =
			xstats_queue(dev, i, &rx, &qid);

		xs[i].id = i;
		xs[i].value = st != NULL ?
			((const uint64_t *)st)[i % NB_QXSTATS] : 0;
	}
	return n;
}
