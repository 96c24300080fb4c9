/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TESTS_NETBACK_FE_RING_H
#define TESTS_NETBACK_FE_RING_H

/*
 * The frontend's ring work the netback tests share, over simfront: TX
 * requests from a frame (one TX page per slot, id = page index), their
 * responses, RX frames with their extra-info slots, the vif's counters in
 * status.json and the close handshake.
 */
#include "simfront.h"

/* What came with a received frame. */
struct rx_info {
	uint16_t flags;			/* its first slot's */
	unsigned int slots;		/* data slots */
	struct netif_extra_info gso;	/* type NONE: no GSO extra came */
};

/* Queue a frame in TX pages, unpushed: flags on the first request, then
 * nr_ex extra-info slots (chained with FLAG_MORE here), then one request
 * per page. Returns the first slot's id. */
uint16_t put_frame_ex(struct fq *q, const uint8_t *frame, unsigned int len,
		      uint16_t flags, const struct netif_extra_info *ex,
		      unsigned int nr_ex);
uint16_t put_frame(struct fq *q, const uint8_t *frame, unsigned int len,
		   uint16_t flags);
void push_tx(struct fq *q);
void post_frame(struct fq *q, const uint8_t *frame, unsigned int len,
		uint16_t flags);
/* Take TX responses: each must be OKAY and free a buffer in flight (null
 * ones answer extra-info slots). Their number, null ones left out. */
unsigned int reap_tx(struct fq *q);
/* Up to max TX responses (null ones left out) within WAIT_MS, in ring
 * order, each freeing its buffer; their number. */
unsigned int reap_tx_rsp(struct fq *q, netif_tx_response_t *rsp,
			 unsigned int max);
/* Wait for every TX buffer to be answered (late answers too). */
void reap_tx_all(struct fq *q);
/* Receive one frame (several slots with more_data), every page reposted;
 * its length, or -1 after WAIT_MS. ri: what came with it, if wanted. */
int recv_frame_info(struct fe *fe, struct fq *q, uint8_t *out, size_t max,
		    struct rx_info *ri);
int recv_frame(struct fe *fe, struct fq *q, uint8_t *out, size_t max);
/* The number after "key": in vif 1/h's status.json entry (queue 0's for a
 * queue counter), -1 if none; then the same, once it is want or WAIT_MS
 * passed. */
long status_value(unsigned int h, const char *key);
long status_await(unsigned int h, const char *key, long want);
/* From the backend's InitWait to Connected, one event channel a queue. */
void fe_up(struct fe *fe);
/* Closing, Closed, back to Initialising: the backend follows. */
void fe_close(struct fe *fe);

#endif
