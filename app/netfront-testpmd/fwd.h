/* SPDX-License-Identifier: BSD-3-Clause */
/* Streams (rx queue -> tx queue) and the forwarding lcores running them. */
#ifndef NFT_FWD_H
#define NFT_FWD_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ethdev.h>
#include <rte_lcore.h>

#include "config.h"
#include "gen.h"
#include "verify.h"

/* Written only by the stream's lcore, read live by the main lcore. */
struct stream_stats {
	uint64_t rx_pkts;
	uint64_t rx_bytes;
	uint64_t tx_pkts;
	uint64_t tx_bytes;
	uint64_t tx_drop;	/* forwarded frames the tx queue refused */
	uint64_t rx_sum;	/* --rx-sum: received bytes in 8-byte words */
};

struct stream {
	uint16_t rx_port;
	uint16_t rx_queue;
	uint16_t tx_port;
	uint16_t tx_queue;
	uint64_t tx_quota;	/* frames still to send; generating modes */
	uint64_t seen_rx;	/* verify window: rx of all streams ... */
	uint64_t rx_tsc;	/* ... last seen changing at this time */
	struct stream_stats st;
	struct gen gen;
	struct verify_rx vrx;
	/* built frames the tx queue has not taken yet, retried in order so
	 * that sequence numbers have no gaps
	 */
	uint16_t nb_pend;
	uint16_t pend_off;
	struct rte_mbuf *pend[NFT_MAX_BURST];
} __rte_cache_aligned;

enum run_phase {
	PHASE_RUN,
	PHASE_DRAIN,	/* no new frames generated, rx goes on */
	PHASE_STOP,
};

struct fwd;
typedef void (*stream_fn)(const struct fwd *f, struct stream *s, bool run);

struct lcore_ctx {
	const struct fwd *f;
	unsigned int first;	/* streams first, first + step, ... */
	unsigned int step;
	int held;		/* atomic: parked at the main lcore's hold */
	/* --record-core-cycles, read once the lcore returned: TSC cycles
	 * of polls that received packets, and of all. */
	uint64_t busy_tsc;
	uint64_t all_tsc;
};

struct fwd {
	enum fwd_mode mode;
	uint16_t burst;
	uint32_t window;
	uint64_t stall_tsc;	/* how long a full window waits for rx */
	stream_fn fn;
	int phase;		/* enum run_phase, atomic */
	int hold;		/* atomic: lcores park, ports are set up */
	bool rx_intr;		/* idle lcores sleep on RX interrupts */
	bool offloads;		/* io: RX flags become TX requests */
	unsigned int tx_retry;	/* io, macswap: offers of a refused burst */
	bool core_cycles;	/* lcores count their busy cycles */
	bool rx_sum;		/* rx_free reads every byte it received */
	/* Frames in flight when a port was reset: they never return, the
	 * verify window stops waiting for them. Written while held. */
	uint64_t written_off;
	uint16_t nb_ports;
	uint16_t nb_queues;
	uint16_t ports[RTE_MAX_ETHPORTS];
	uint16_t port_limit;	/* highest port id + 1 */
	unsigned int nb_streams;
	struct stream *streams;
	unsigned int nb_lcores;
	struct lcore_ctx lcores[RTE_MAX_LCORE];
};

static inline uint64_t
ctr_read(const uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

/* Set up the streams of every port and queue; 0 or -errno. Generators
 * build in gen_mp[i] for ports[i] where it is not NULL, else in mp. */
int fwd_init(struct fwd *f, const struct app_config *cfg,
	     const uint16_t *ports, uint16_t nb_ports,
	     struct rte_mempool *mp, struct rte_mempool *const *gen_mp,
	     const struct verify_tpl *tpl);
void fwd_free(struct fwd *f);

/* Start the streams on the worker lcores; -ENODEV without workers. */
int fwd_launch(struct fwd *f);
void fwd_set_phase(struct fwd *f, enum run_phase phase);
/* Wait for the lcores to return (after PHASE_STOP). */
void fwd_wait(struct fwd *f);
/* Park every forwarding lcore out of the bursts (to reset a port), and
 * let them go on.
 */
void fwd_hold(struct fwd *f);
void fwd_release(struct fwd *f);
/* While held, after a port reset: its frames in flight are gone. */
void fwd_write_off(struct fwd *f);

/* After fwd_wait(): the forwarding lcores' busy and total TSC cycles
 * (--record-core-cycles). */
void fwd_core_cycles(const struct fwd *f, uint64_t *busy, uint64_t *all);

/* Has every port met --count (sent in generating modes, else received)? */
bool fwd_count_reached(const struct fwd *f, uint64_t count);

/* Index of the port that port ports[i] sends to: pairs 0<->1, 2<->3, a
 * lone last port to itself.
 */
static inline uint16_t
fwd_peer(uint16_t i, uint16_t nb_ports)
{
	return (i ^ 1) < nb_ports ? i ^ 1 : i;
}

#endif
