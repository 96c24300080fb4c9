/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef XENSIM_NETBACK_XENBUS_H
#define XENSIM_NETBACK_XENBUS_H

struct netback;

/* Loop thread: write the backend keys, go InitWait, follow the frontend. */
int nb_xenbus_start(struct netback *nb);
void nb_xenbus_stop(struct netback *nb);
/* Closed at once, then InitWait again, as a restarted backend driver. */
void nb_xenbus_restart(struct netback *nb);

#endif
