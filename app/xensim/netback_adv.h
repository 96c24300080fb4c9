/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef XENSIM_NETBACK_ADV_H
#define XENSIM_NETBACK_ADV_H

#include <stdbool.h>
#include <time.h>

#include "netback_vif.h"

/*
 * The adversary of one queue, called by the ring (netback_ring.c) only
 * and only when q->adv is set: it holds, releases and reorders what the
 * ring hands it, checks the frontend (verify), and mutates responses,
 * indexes and pages when the ring asks it to.
 */

struct nb_adv *nb_adv_create(const struct nb_knobs *k);
void nb_adv_destroy(struct nb_adv *a);
/* On connect, before the queue thread runs. */
void nb_adv_reset(struct nb_queue *q);

/* TX: keep a packet the ring took; say how many to answer now, then give
 * them back n at a time in answer order; check a slot as the ring copies
 * it. */
void nb_adv_tx_hold(struct nb_queue *q, const struct nb_tx_pkt *pkt);
unsigned int nb_adv_tx_due(struct nb_queue *q);
void nb_adv_tx_pop(struct nb_queue *q, struct nb_tx_pkt *out,
		   unsigned int n);
void nb_adv_tx_check(struct nb_queue *q, const struct nb_tx_pkt *pkt,
		     unsigned int slot, int16_t rc, const uint8_t *data,
		     uint32_t len);
/* A TX response, written at its slot, not yet pushed. */
void nb_adv_tx_rsp(struct nb_queue *q, netif_tx_response_t *rsp);

/* RX: how many of the requests up to prod may be filled now. */
unsigned int nb_adv_rx_avail(struct nb_queue *q, RING_IDX prod);
/* The frame to deliver instead of h (runt, oversize); extra: the number
 * of extra-info slots it wants after its first slot (0 or 1). */
struct frame_hdr *nb_adv_rx_frame(struct nb_queue *q, struct frame_hdr *h,
				  unsigned int *extra);
/* Fill the extra-info slot the frame asked for. */
void nb_adv_rx_extra(struct nb_queue *q, struct netif_extra_info *ex);
/* True while an endless extra-info chain is going on: every request is
 * answered with one more extra-info slot. */
bool nb_adv_rx_chain(const struct nb_queue *q);
/* The request at index idx is answered by rsp (staged, not yet on the
 * ring) with data of the frame in page gref. */
void nb_adv_rx_rsp(struct nb_queue *q, RING_IDX idx, grant_ref_t gref,
		   netif_rx_response_t *rsp);

/* After a push to the TX (rx false) or RX ring: mutate rsp_prod, start
 * rewriting what was published. True: notify even if not asked. */
bool nb_adv_pushed(struct nb_queue *q, bool rx, RING_IDX from);
/* Every pass of the queue thread: rewrite responses and pages that are
 * due. True: notify the frontend now (notify-storm). */
bool nb_adv_poll(struct nb_queue *q);
/* How long the queue may sleep (rx_waiting: a frame waits for RX
 * requests); false: until an event. */
bool nb_adv_timeout(struct nb_queue *q, bool rx_waiting,
		    struct timespec *ts);

#endif
