/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef NETFRONT_PMD_TEST_H
#define NETFRONT_PMD_TEST_H

/* What pmd_test.c shares with the modes kept in files of their own. */
#include <stdint.h>
#include <stdio.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>

#define WAIT_MS		3000

extern struct rte_mempool *tx_pool;
extern uint16_t port;

void port_setup_conf(uint16_t nq, const struct rte_eth_conf *conf);
void port_setup_queues(uint16_t ntx, uint16_t nrx,
		       const struct rte_eth_conf *conf);
/* The frame as a chain of tx_pool's (mp's) mbufs. */
struct rte_mbuf *mbuf_from(const uint8_t *f, uint32_t len);
struct rte_mbuf *mbuf_from_pool(struct rte_mempool *mp, const uint8_t *f,
				uint32_t len);
/* A frame whose every byte is a function of (seq, offset), in mp. */
struct rte_mbuf *make_frame_in(struct rte_mempool *mp, uint32_t seq,
			       uint32_t len);
/* m is that frame, whole. */
void check_frame(struct rte_mbuf *m, uint32_t seq, uint32_t len);
/* The log from now on is kept; log_expect stops that and checks that it
 * says text. */
FILE *log_capture(void);
void log_expect(FILE *f, const char *text);
void port_start(void);
/* The next frame on any of nq queues, or NULL after timeout_ms. */
struct rte_mbuf *rx_one(uint16_t nq, uint64_t timeout_ms);
uint64_t xstats_sum(const char *suffix);
/* xensim's RUN/status.json: it holds want; the sum of key's numbers. */
void check_status(const char *run, const char *want, const char *what);
/* A fresh RUN/status.json in buf. */
void read_status(const char *run, char *buf, size_t len);
/* No grant of dom1 active, none of its ports open. */
void check_no_grants(const char *run);
/* And every mbuf back in tx_pool. */
void check_stopped(const char *run);
uint64_t status_sum(const char *run, const char *key);
/* The reply of this process's telemetry to cmd, in buf. */
void telemetry(const char *cmd, char *buf, size_t len);
/* The number after "key": in a telemetry reply, or -1. */
long long reply_field(const char *buf, const char *key);

/* offload.c */
void mode_csum(int argc, char **argv);
void mode_tso(int argc, char **argv);
void mode_mtu(int argc, char **argv);

/* mcast.c */
void mode_mcast(int argc, char **argv);

/* info.c */
void mode_info(int argc, char **argv);

/* txpool.c */
void mode_tx_pool(int argc, char **argv);

/* unequal.c */
void mode_unequal(int argc, char **argv);
void mode_unequal_over(int argc, char **argv);

#endif
