/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Telemetry: /netfront/info,PORT, what ethdev's commands do not show of a
 * port: its vif, the connection's state, the grants it holds against
 * gntalloc's limit and the backend's protocol violations. Only what the
 * control path cached: this runs in the telemetry thread, and xenstore
 * reads or platform calls from here would race the port's own.
 */
#include <limits.h>
#include <stdlib.h>

#include <ethdev_driver.h>
#include <rte_telemetry.h>

#include "xenplat.h"
#include "netfront.h"

static const char *const xb_states[] = {
	"Unknown", "Initialising", "InitWait", "Initialised", "Connected",
	"Closing", "Closed", "Reconfiguring", "Reconfigured",
};

static uint64_t
queue_violations(const struct netfront_qstats *st)
{
	uint64_t n = 0;
	unsigned int v;

	for (v = 0; v < NETFRONT_VIOL_MAX; v++)
		n += st->viol[v];
	return n;
}

static uint64_t
violations(const struct rte_eth_dev *dev)
{
	struct netfront_qstats st;
	uint64_t n = 0;
	unsigned int q;

	for (q = 0; q < dev->data->nb_rx_queues; q++) {
		netfront_queue_stats(dev, true, q, &st);
		n += queue_violations(&st);
	}
	for (q = 0; q < dev->data->nb_tx_queues; q++) {
		netfront_queue_stats(dev, false, q, &st);
		n += queue_violations(&st);
	}
	return n;
}

static int
netfront_tel_info(const char *cmd __rte_unused, const char *params,
		  struct rte_tel_data *d)
{
	const struct netfront_adapter *ad;
	const struct rte_eth_dev *dev;
	unsigned long port;
	char *end;

	if (params == NULL || *params == '\0')
		return -EINVAL;
	port = strtoul(params, &end, 10);
	if (*end != '\0' || port >= RTE_MAX_ETHPORTS)
		return -EINVAL;
	ad = netfront_adapter_of(port);
	if (ad == NULL)
		return -EINVAL;
	dev = ad->dev;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_int(d, "port", port);
	rte_tel_data_add_dict_int(d, "vif", ad->args.vif);
	rte_tel_data_add_dict_string(d, "platform", xenplat_name(ad->xp));
	rte_tel_data_add_dict_string(d, "frontend", ad->fe_path);
	rte_tel_data_add_dict_string(d, "backend", ad->be_path);
	rte_tel_data_add_dict_int(d, "backend_id", ad->be_id);
	rte_tel_data_add_dict_string(d, "state",
		ad->fe_state >= 0 && ad->fe_state < (int)RTE_DIM(xb_states) ?
		xb_states[ad->fe_state] : "?");
	rte_tel_data_add_dict_int(d, "trusted", ad->trusted);
	rte_tel_data_add_dict_int(d, "queues", ad->nr_queues);
	rte_tel_data_add_dict_int(d, "rx_pages", ad->rx_pages);
	rte_tel_data_add_dict_int(d, "grants", netfront_port_grants(ad));
	rte_tel_data_add_dict_int(d, "grants_process",
				  netfront_queues_grants(NULL) +
				  netfront_txpool_pages());
	rte_tel_data_add_dict_int(d, "grant_limit", ad->grant_limit);
	rte_tel_data_add_dict_int(d, "failed", ad->failed);
	/* The first violation stops the port: a handful at most. */
	rte_tel_data_add_dict_int(d, "violations",
				  RTE_MIN(violations(dev), (uint64_t)INT_MAX));
	return 0;
}

RTE_INIT(netfront_telemetry_init)
{
	rte_telemetry_register_cmd("/netfront/info", netfront_tel_info,
		"A net_netfront port's vif, state, grants and violations. "
		"Parameters: int port_id");
}
