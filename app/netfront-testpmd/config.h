/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NFT_CONFIG_H
#define NFT_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#define NFT_MAX_BURST	512
#define NFT_MAX_QUEUES	64
#define NFT_MIN_PKT	60	/* Ethernet minimum without FCS */
#define NFT_MAX_PKT	16384
/* --max-lost not given: bound loss by what may still be in flight */
#define NFT_MAX_LOST_AUTO	UINT64_MAX

enum fwd_mode {
	FWD_IO,
	FWD_MACSWAP,
	FWD_TXONLY,
	FWD_RXONLY,
	FWD_VERIFY,
};

enum size_mode {
	SIZE_FIXED,
	SIZE_CYCLE,	/* min, min+1, ..., max, min, ... */
	SIZE_RANDOM,	/* uniform in [min, max] */
	SIZE_IMIX,	/* 7:4:1 of 64/570/1518 with FCS */
};

struct app_config {
	enum fwd_mode mode;
	enum size_mode size_mode;
	uint16_t burst;
	uint16_t nb_queues;	/* rx = tx queues per port */
	uint16_t nb_rxd;
	uint16_t nb_txd;
	uint32_t window;	/* verify: max frames sent not yet received */
	uint32_t pkt_min;
	uint32_t pkt_max;
	uint64_t count;		/* per port; 0 = no limit */
	uint64_t max_lost;	/* or NFT_MAX_LOST_AUTO */
	double duration;	/* seconds; 0 = no limit */
	double stats_period;	/* seconds; 0 = no live line */
	double drain;		/* seconds of rx after tx stops */
	double link_wait;	/* seconds to wait for link up */
	bool rx_intr;		/* sleep on RX interrupts when idle */
	bool offloads;		/* io: checksums, TSO and LRO on the ports */
	uint32_t tx_retry;	/* io, macswap: offer what TX refused again */
	bool core_cycles;	/* count the forwarding lcores' busy cycles */
	bool rx_sum;		/* rxonly, txonly: read every received byte */
	bool tx_pool;		/* txonly, verify: frames in granted pools */
	const char *json_path;
};

/* Parse the application options (after EAL's "--"); 0 or -1 with a message
 * on stderr. Returns 1 when --help was printed.
 */
int config_parse(struct app_config *cfg, int argc, char **argv);

const char *config_mode_name(enum fwd_mode mode);

/* Does the mode generate verify frames? */
static inline bool
config_mode_generates(enum fwd_mode mode)
{
	return mode == FWD_TXONLY || mode == FWD_VERIFY;
}

#endif
