/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef XENSIM_XSIM_H
#define XENSIM_XSIM_H

#include <stdint.h>
#include <xen/xen.h>

/*
 * The simulated machine: dom0 (the backend domain, served in-process by the
 * netback) and guest domains 1..N. Each domain has a directory under the run
 * directory holding its sockets:
 *   RUN/domN/xenstored   xenstore wire protocol, acting as domain N
 *   RUN/domN/hypervisor  grant and event-channel operations of domain N
 * A guest process picks its domain by the directory it connects to.
 */

#define XSIM_MAX_DOMAINS 16

struct loop;
struct xs_store;
struct gnttab;
struct evtchn_table;

struct xsim_domain {
	domid_t domid;
	char name[32];
	char dir[256];			/* RUN/domN */
	struct gnttab *gnttab;		/* pages this domain grants */
	unsigned int gntalloc_pages;	/* shared through "gntalloc" now */
	/* Bumped by each restore: ports opened before it died with it. */
	unsigned int incarnation;
};

struct xsim {
	const char *run_dir;
	struct loop *loop;
	struct xs_store *xs;
	struct evtchn_table *evtchn;
	unsigned int nr_domains;	/* dom0 + guests */
	struct xsim_domain dom[XSIM_MAX_DOMAINS];
	/* per guest domain: gntalloc's limit is one number per kernel */
	unsigned int gntalloc_limit;
	unsigned int vif_mtu;		/* the toolstack's, for every vif */
	/* Ports of before a restore that a process unbound (on Linux the
	 * guest kernel BUG()s) or still held when its connection closed. */
	uint64_t stale_evtchn_closes;
	uint64_t stale_evtchn_at_exit;
};

/* NULL when domid does not exist. */
struct xsim_domain *xsim_domain(struct xsim *xs, domid_t domid);

#endif
