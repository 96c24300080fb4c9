/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef XENSIM_VIF_END_H
#define XENSIM_VIF_END_H

#include "netback_vif.h"

/* What is at the vif's other end; called by the layers above it. */
/* "D/H": a domain id and a vif handle 0..255, nothing after. */
int nb_parse_dh(const char *s, domid_t *dom, unsigned int *handle);
int vif_end_parse(struct netback *nb, const char *val, char *err,
		  size_t len);
const char *vif_end_name(enum nb_end end);
int vif_end_open(struct netback *nb, char *err, size_t len);
void vif_end_close(struct netback *nb);
/* Loop thread, before the queue threads start (frontend MAC and queue
 * count known). */
void vif_end_connect(struct netback *nb);
/* Queue thread: where a TX frame of len bytes goes, and the frame ring
 * to commit it to (NULL for a sink); NULL: copy it to q->scratch and
 * pass it to vif_end_tx_done() all the same. */
void *vif_end_tx_reserve(struct nb_queue *q, uint32_t len,
			 struct frame_ring **ring);
void vif_end_tx_done(struct nb_queue *q, struct frame_ring *ring,
		     void *data, uint32_t len, const struct frame_info *info);
/* Queue thread, after a TX batch: wake the peer queues it fed. */
void vif_end_tx_flush(struct nb_queue *q);
/* Queue thread: pull frames from the end into in[0], given rx_slots free
 * RX requests; returns the number of frames queued. */
unsigned int vif_end_input(struct nb_queue *q, unsigned int rx_slots);
/* Queue thread: may the end's fd be polled (room for what it brings)? */
bool vif_end_can_input(struct nb_queue *q);
/* Second pass: join a peer end. all: every netback. */
int vif_end_link(struct netback *nb, struct netback *all, char *err,
		 size_t len);
/* Before nb goes away, the peer's queue threads stopped: its peer stops
 * feeding it. */
void vif_end_unlink(struct netback *nb);

#endif
