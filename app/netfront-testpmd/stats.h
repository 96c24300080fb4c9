/* SPDX-License-Identifier: BSD-3-Clause */
/* Live rate line, end-of-run summary (text and JSON). */
#ifndef NFT_STATS_H
#define NFT_STATS_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ethdev.h>

#include "fwd.h"

struct xstat_hit {
	char name[RTE_ETH_XSTATS_NAME_SIZE];
	uint64_t value;
};

struct port_report {
	uint16_t port;
	struct stream_stats st;		/* rx of its rx queues, tx of tx */
	struct verify_counters v;	/* frames it received */
	uint64_t lost;			/* its frames nobody received */
	struct rte_eth_stats eth;
	uint64_t violations;		/* sum of the xstats below */
	unsigned int nb_hits;
	struct xstat_hit *hits;		/* "violation"/"protocol" xstats */
};

struct report {
	const char *mode;
	double seconds;			/* of the run phase */
	uint16_t nb_ports;
	uint16_t nb_queues;		/* per port */
	bool rx_sum;			/* --rx-sum: print the sums */
	struct port_report ports[RTE_MAX_ETHPORTS];
	struct port_report total;	/* without xstat hits */
};

/* Snapshot for rates between two live lines. */
struct live {
	uint64_t tsc;
	struct stream_stats last[RTE_MAX_ETHPORTS];
};

void live_start(struct live *l);
void live_print(struct live *l, const struct fwd *f, double elapsed);

/* Gather the summary after the lcores stopped; 0 or -ENOMEM. */
int report_collect(struct report *r, const struct fwd *f, double seconds);
void report_print(const struct report *r);
/* 0, or -1 with a message on stderr. */
int report_json(const struct report *r, const char *path, int status);
void report_free(struct report *r);

#endif
