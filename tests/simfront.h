/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TESTS_SIMFRONT_H
#define TESTS_SIMFRONT_H

/*
 * A test's frontend side against xensim, without DPDK: start and stop a
 * xensim, xenstore helpers, and the netif handshake of one vif (rings,
 * event channels, granted TX and RX pages, feature keys). Used by the
 * netback protocol test and the proof tests.
 */
#include <stdbool.h>
#include <stdint.h>

#define mb()	__atomic_thread_fence(__ATOMIC_SEQ_CST)
#define rmb()	__atomic_thread_fence(__ATOMIC_ACQUIRE)
#define wmb()	__atomic_thread_fence(__ATOMIC_RELEASE)

#include <xenstore.h>
#include <xen/io/netif.h>
#include <xen/io/xenbus.h>

#include "check.h"
#include "xenplat.h"

#define PAGE		4096u
#define NR_BUFS		64	/* pages per direction and queue */
#define WAIT_MS		5000

extern struct xenplat *xp;
extern struct xs_handle *xsh;

/*
 * Start bin on a fresh run directory as domain 1's platform: args are
 * xensim's options (NULL-terminated). log: a file in the run directory
 * for its stdout and stderr (shown after a failure), NULL to share ours.
 */
void start_xensim(const char *bin, const char *const *args, const char *log);
/* The run directory, for status.json and logs. */
const char *sim_run_dir(void);
/* SIGTERM it; false (and a failure counted) unless it exits cleanly. */
bool stop_xensim(void);
/* Stop everything, remove the run directory, exit with the verdict. */
void finish(void) __attribute__((noreturn));

long now_ms(void);
void sleep_ms(int ms);

/* malloc'd value, NULL if absent. */
char *xread(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void xwrite(const char *path, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* vif 1/h's backend state; -1 if unreadable. */
int be_state(unsigned int h);
/* Wait for the backend of vif 1/h to reach state; false on timeout. */
bool wait_be_state(unsigned int h, int state);

struct fq {
	netif_tx_sring_t *txs;
	netif_rx_sring_t *rxs;
	uint32_t tx_ref, rx_ref;
	netif_tx_front_ring_t tx;
	netif_rx_front_ring_t rx;
	struct xenplat_evtchn *ev[2];	/* [1] NULL: shared */
	uint8_t *txbuf, *rxbuf;		/* NR_BUFS pages each */
	uint32_t txrefs[NR_BUFS], rxrefs[NR_BUFS];
	bool tx_busy[NR_BUFS];		/* the caller's to use */
};

struct fe {
	unsigned int handle;
	unsigned int nq;
	unsigned int headroom;
	bool no_sg;			/* feature-sg 0 */
	struct fq q[2];
};

/* Share rings and pages, post every RX page (id = page index), write
 * the frontend's keys and go Connected, as Linux netfront does. */
void fe_connect(struct fe *fe, bool split, int rx_copy);
void fe_state(struct fe *fe, int state);
/* After Closed: every grant must come back. */
void fe_release(struct fe *fe);
/* The event channel RX notifications come on. */
struct xenplat_evtchn *fq_rx_ev(struct fq *q);

#endif
