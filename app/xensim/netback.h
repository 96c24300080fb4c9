/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef XENSIM_NETBACK_H
#define XENSIM_NETBACK_H

#include <stdbool.h>
#include <stdio.h>

/*
 * The backend half of one vif, behaving like Linux xen-netback: feature
 * keys, the xenbus state machine driven by xenstore watches (loop thread),
 * and per-queue data threads that grant-copy between the frontend's pages
 * and the vif's other end (echo, peer, tap, sink, gen).
 */

struct xsim;
struct netback;

/*
 * spec: "DOMID/HANDLE[,key=value...]", see xensim --help. The toolstack
 * must already have created the vif's xenstore directories.
 */
struct netback *netback_create(struct xsim *xs, const char *spec,
			       char *err, size_t len);
/* Second pass once every vif exists (joins peer ends). */
int netback_link(struct netback *nb, char *err, size_t len);
void netback_destroy(struct netback *nb);
/* One JSON object with the vif's state and per-queue counters. */
void netback_status_json(struct netback *nb, FILE *f);

/* The toolstack's operations on a running vif (control.c). */
struct netback *netback_find(unsigned int domid, unsigned int handle);
int netback_state(const struct netback *nb);
/* Following its frontend: plugged and not unplugged since. */
bool netback_plugged(const struct netback *nb);
/* Unplugged: stop following the frontend, unmap, stop the queues. */
void netback_unplug(struct netback *nb);
/* Its directories are there again: InitWait, follow the frontend. */
int netback_plug(struct netback *nb);
/* Closed now, InitWait again once the frontend let go. */
void netback_restart(struct netback *nb);

#endif
