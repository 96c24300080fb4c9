/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef XENSIM_MCAST_H
#define XENSIM_MCAST_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * The multicast addresses a frontend asked for (MCAST_ADD/DEL extra-info
 * requests), as Linux netback keeps them (xenvif_mcast_add/del/match): up
 * to XEN_NETBK_MCAST_MAX entries, a duplicate added is one more entry and
 * a delete removes one. Queue threads change and read it.
 */

#define MCAST_MAX	64

struct mcast {
	pthread_mutex_t lock;
	unsigned int n;
	uint8_t addr[MCAST_MAX][6];
};

void mcast_init(struct mcast *m);
void mcast_fini(struct mcast *m);
/* 0, or -1 when the list is full. */
int mcast_add(struct mcast *m, const uint8_t addr[6]);
void mcast_del(struct mcast *m, const uint8_t addr[6]);
bool mcast_match(struct mcast *m, const uint8_t addr[6]);
unsigned int mcast_count(struct mcast *m);
/* The frontend is gone: its list with it. */
void mcast_clear(struct mcast *m);

#endif
