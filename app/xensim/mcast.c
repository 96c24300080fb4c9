/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "mcast.h"

void
mcast_init(struct mcast *m)
{
	pthread_mutex_init(&m->lock, NULL);
	m->n = 0;
}

void
mcast_fini(struct mcast *m)
{
	pthread_mutex_destroy(&m->lock);
}

int
mcast_add(struct mcast *m, const uint8_t addr[6])
{
	int rc = -1;

	pthread_mutex_lock(&m->lock);
	if (m->n < MCAST_MAX) {
		memcpy(m->addr[m->n++], addr, 6);
		rc = 0;
	}
	pthread_mutex_unlock(&m->lock);
	return rc;
}

/* Under the lock: the index of addr, or -1. */
static int
find(const struct mcast *m, const uint8_t addr[6])
{
	unsigned int i;

	for (i = 0; i < m->n; i++)
		if (memcmp(m->addr[i], addr, 6) == 0)
			return (int)i;
	return -1;
}

void
mcast_del(struct mcast *m, const uint8_t addr[6])
{
	int i;

	pthread_mutex_lock(&m->lock);
	i = find(m, addr);
	if (i >= 0)
		memcpy(m->addr[i], m->addr[--m->n], 6);
	pthread_mutex_unlock(&m->lock);
}

bool
mcast_match(struct mcast *m, const uint8_t addr[6])
{
	bool found;

	pthread_mutex_lock(&m->lock);
	found = find(m, addr) >= 0;
	pthread_mutex_unlock(&m->lock);
	return found;
}

unsigned int
mcast_count(struct mcast *m)
{
	unsigned int n;

	pthread_mutex_lock(&m->lock);
	n = m->n;
	pthread_mutex_unlock(&m->lock);
	return n;
}

void
mcast_clear(struct mcast *m)
{
	pthread_mutex_lock(&m->lock);
	m->n = 0;
	pthread_mutex_unlock(&m->lock);
}
