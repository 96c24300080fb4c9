/* SPDX-License-Identifier: BSD-3-Clause */
/* Port configuration, start and teardown through the generic ethdev API. */
#ifndef NFT_PORT_H
#define NFT_PORT_H

#include <stdint.h>

#include <rte_ethdev.h>
#include <rte_mempool.h>

#include "config.h"

/* Can the port take cfg (queues, MTU)? 0, or -1 with a message. */
int port_check(uint16_t port, const struct app_config *cfg);

/* Configure and start a checked port, whose frames go out through peer
 * (for --offloads); 0, or -1 with a message on stderr. */
int port_setup(uint16_t port, uint16_t peer, const struct app_config *cfg,
	       struct rte_mempool *mp);

/* Wait up to secs for every link to come up; warns about those that
 * did not.
 */
void port_wait_links(const uint16_t *ports, uint16_t nb_ports, double secs);

void port_close(uint16_t port);

/*
 * A port's lifecycle events, set by the EAL interrupt thread: RESET (the
 * backend is back, rte_eth_dev_reset() and a new setup bring it up) and
 * RMV (the device is gone). The main lcore acts on them.
 */
struct port_events {
	int reset_pending[RTE_MAX_ETHPORTS];	/* atomic */
	int removed[RTE_MAX_ETHPORTS];		/* atomic */
	uint64_t resets;	/* RESET events */
	uint64_t rmvs;		/* RMV events */
	uint64_t reset_done;	/* ports set up again after one */
};

int port_events_register(uint16_t port, struct port_events *ev);
/* After a RESET event: reset, configure and start again; 0 or -1. */
int port_reset(uint16_t port, uint16_t peer, const struct app_config *cfg,
	       struct rte_mempool *mp);

#endif
