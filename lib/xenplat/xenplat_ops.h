/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef XENPLAT_OPS_H
#define XENPLAT_OPS_H

#include <stdarg.h>
#include <stdio.h>

#include "xenplat.h"

/*
 * Inside lib/xenplat: what xenplat.c dispatches to. Each implementation
 * embeds struct xenplat and struct xenplat_evtchn first in its own.
 * xensim's implementation is a module of its own (xenplat_sim.c) that
 * xenplat.c loads: these structures are its whole interface, with nothing
 * to link against.
 */

struct xenplat_ops {
	const char *name;
	void (*close)(struct xenplat *xp);
	void *(*share)(struct xenplat *xp, uint16_t domid, unsigned int count,
		       bool writable, uint32_t *refs);
	int (*unshare)(struct xenplat *xp, void *addr, unsigned int count);
	unsigned int (*grant_limit)(struct xenplat *xp);
	struct xenplat_evtchn *(*evtchn_alloc)(struct xenplat *xp,
					       uint16_t remote);
	void (*evtchn_free)(struct xenplat_evtchn *ch);
	void (*evtchn_abandon)(struct xenplat_evtchn *ch);
	int (*evtchn_notify)(struct xenplat_evtchn *ch);
	/* fd is readable: take the event and unmask. 1, 0 or -errno. */
	int (*evtchn_consume)(struct xenplat_evtchn *ch);
};

struct xenplat {
	const struct xenplat_ops *ops;
	char xs_path[300];	/* xenstored socket; empty: the kernel's */
	char err[256];
	void *module;		/* dlopen() handle, closed after ops->close */
};

struct xenplat_evtchn {
	struct xenplat *xp;
	uint32_t port;
	int fd;			/* readable when an event may be pending */
	bool masked;
};

/* Leave a message for xenplat_strerror(); returns rc. */
static inline int __attribute__((format(printf, 3, 4)))
xenplat_err(struct xenplat *xp, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(xp->err, sizeof(xp->err), fmt, ap);
	va_end(ap);
	return rc;
}

struct xenplat *xenplat_xen_open(char *err, size_t len);

/*
 * The xensim module's one entry point, found with dlsym(). Its name carries
 * the version of the structures above: change it with them, so that a
 * module from another build fails to load instead of misreading them.
 */
#define XENPLAT_SIM_ENTRY "xenplat_sim_open_v1"
typedef struct xenplat *xenplat_sim_open_t(const char *dir, char *err,
					   size_t len);
xenplat_sim_open_t xenplat_sim_open_v1;

#endif
