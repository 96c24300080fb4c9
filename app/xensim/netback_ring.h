/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef XENSIM_NETBACK_RING_H
#define XENSIM_NETBACK_RING_H

struct netback;

/* The data path: one thread per connected queue. */
/* Before the first connect: the adversary, if a knob wants it. */
int nb_ring_open(struct netback *nb);
void nb_ring_close(struct netback *nb);
/* Loop thread, on connect: the adversary forgets the last connection. */
void nb_ring_reset(struct netback *nb);
/* Loop thread, rings attached: start or stop the queue threads. */
int nb_threads_start(struct netback *nb);
void nb_threads_stop(struct netback *nb);

#endif
