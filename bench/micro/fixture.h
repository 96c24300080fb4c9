/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NETFRONT_MICRO_FIXTURE_H
#define NETFRONT_MICRO_FIXTURE_H

/*
 * One netfront TX/RX queue pair driven by the real burst functions against
 * an inline fake backend, for the benchmark harness. The queues sit on
 * plain memory (see fake_xenplat.c), so nothing here makes a system call.
 * Plain C: the C++ harness sees only this.
 */

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The largest burst: one full ring. */
#define FX_BURST_MAX	256
/*
 * TSO: IPv4/TCP frames with 45 segments of payload, 63.7 KiB; one takes
 * 35 TX ring slots (33 copy blocks, 2 GSO extras), so a ring holds 7.
 */
#define FX_TSO_MSS	1448u
#define FX_TSO_SEGS	45u
#define FX_TSO_BURST_MAX	7

struct fx;

/* One timed driver call: its duration and the packets it handled. */
struct fx_step {
	double ns;
	unsigned int pkts;
};

/* EAL with no hugepages, PCI or shared config; 0 or -1 (logged). */
int fx_eal_init(const char *prog);
void fx_eal_cleanup(void);

/* A connected queue pair; NULL and a message in err on failure. */
struct fx *fx_create(char *err, size_t len);
/*
 * 0, or -1 and a message in err if the driver leaked a buffer. err NULL:
 * tear down after a failed fx_create(), without checks.
 */
int fx_destroy(struct fx *fx, char *err, size_t len);
/* The reason of the last -1 returned by a function below. */
const char *fx_error(const struct fx *fx);

/*
 * Baselines and whole cycles, timed by the caller. Each returns the number
 * of packets handled, or -1.
 */
int fx_copy(struct fx *fx, unsigned int n, unsigned int len, int use_libc);
int fx_mbuf_alloc_free(struct fx *fx, unsigned int n);
int fx_id_alloc_free(struct fx *fx, unsigned int n);
/* Application mbufs -> tx_burst -> backend answers -> tx_reclaim. */
int fx_tx_cycle(struct fx *fx, unsigned int n, unsigned int len);
/* Backend fills n pages -> rx_burst (refills) -> application frees. */
int fx_rx_cycle(struct fx *fx, unsigned int n, unsigned int len);
/* rx_burst -> zero-copy tx_burst of the same pages -> tx_reclaim. */
int fx_fwd_cycle(struct fx *fx, unsigned int n, unsigned int len);

/*
 * One driver call each, timed here with the TSC (the setup around it is
 * not): 0 or -1.
 */
int fx_tx_build(struct fx *fx, unsigned int n, unsigned int len,
		struct fx_step *s);
int fx_tx_reclaim(struct fx *fx, unsigned int n, unsigned int len,
		  struct fx_step *s);
int fx_rx_burst(struct fx *fx, unsigned int n, unsigned int len,
		struct fx_step *s);
int fx_rx_refill(struct fx *fx, unsigned int n, struct fx_step *s);
/* tx_burst of mbufs of a TX pool, posted in place. */
int fx_tx_zerocopy(struct fx *fx, unsigned int n, unsigned int len,
		   struct fx_step *s);
/* tx_burst of IPv4/TCP frames asking for IPv4 and TCP checksums. */
int fx_tx_csum(struct fx *fx, unsigned int n, unsigned int len,
	       struct fx_step *s);
/* tx_burst of TSO frames (see FX_TSO_SEGS), chains of 2 KiB segments. */
int fx_tx_tso(struct fx *fx, unsigned int n, struct fx_step *s);

/*
 * Reconnect the queues with RX copying into the application's mbufs (on,
 * as untrusted) or lending the pages (off, the default); 0 or -1.
 */
int fx_rx_copy(struct fx *fx, int on);

#ifdef __cplusplus
}
#endif

#endif
