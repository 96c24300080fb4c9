/* SPDX-License-Identifier: BSD-3-Clause */
/* Real Xen: gntalloc through libxengnttab, evtchn through libxenevtchn. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xengnttab.h>
#include <xenevtchn.h>

#include "xenplat_ops.h"

struct xp_xen {
	struct xenplat base;
	xengntshr_handle *gs;
};

/* One handle per channel: its fd then wakes for this port alone. */
struct xp_xen_evtchn {
	struct xenplat_evtchn base;
	xenevtchn_handle *h;
};

/* Abandoned channels' handles: closing one would unbind its port. */
static struct abandoned {
	struct abandoned *next;
	xenevtchn_handle *h;
} *abandoned;

static const char *const xen_devices[] = {
	"/dev/xen/gntalloc",
	"/dev/xen/evtchn",
};

static void
xen_close(struct xenplat *xp)
{
	struct xp_xen *x = (struct xp_xen *)xp;

	xengntshr_close(x->gs);
	free(x);
}

static void *
xen_share(struct xenplat *xp, uint16_t domid, unsigned int count,
	  bool writable, uint32_t *refs)
{
	struct xp_xen *x = (struct xp_xen *)xp;
	void *addr;

	int err;

	addr = xengntshr_share_pages(x->gs, domid, (int)count, refs, writable);
	if (addr != NULL)
		return addr;
	err = errno;
	xenplat_err(xp, -err, "gntalloc: cannot share %u pages with dom%u: "
		    "%s%s", count, domid, strerror(err), err == ENOSPC ?
		    " (raise /sys/module/xen_gntalloc/parameters/limit)" : "");
	return NULL;
}

/* gntalloc ends each grant on unmap and itself defers those in use. */
static int
xen_unshare(struct xenplat *xp, void *addr, unsigned int count)
{
	struct xp_xen *x = (struct xp_xen *)xp;

	if (xengntshr_unshare(x->gs, addr, count) != 0)
		return xenplat_err(xp, -errno, "gntalloc: unshare: %s",
				   strerror(errno));
	return 0;
}

static struct xenplat_evtchn *
xen_evtchn_alloc(struct xenplat *xp, uint16_t remote)
{
	struct xp_xen_evtchn *ch = calloc(1, sizeof(*ch));
	xenevtchn_port_or_error_t port;

	if (ch == NULL) {
		xenplat_err(xp, -ENOMEM, "out of memory");
		return NULL;
	}
	ch->h = xenevtchn_open(NULL, 0);
	if (ch->h == NULL) {
		xenplat_err(xp, -errno, "cannot open /dev/xen/evtchn: %s",
			    strerror(errno));
		free(ch);
		return NULL;
	}
	port = xenevtchn_bind_unbound_port(ch->h, remote);
	if (port < 0) {
		xenplat_err(xp, -errno, "evtchn: no unbound port for dom%u: "
			    "%s", remote, strerror(errno));
		xenevtchn_close(ch->h);
		free(ch);
		return NULL;
	}
	ch->base.xp = xp;
	ch->base.port = (uint32_t)port;
	ch->base.fd = xenevtchn_fd(ch->h);
	return &ch->base;
}

static void
xen_evtchn_free(struct xenplat_evtchn *base)
{
	struct xp_xen_evtchn *ch = (struct xp_xen_evtchn *)base;

	xenevtchn_unbind(ch->h, base->port);
	xenevtchn_close(ch->h);
	free(ch);
}

static void
xen_evtchn_abandon(struct xenplat_evtchn *base)
{
	struct xp_xen_evtchn *ch = (struct xp_xen_evtchn *)base;
	struct abandoned *a = malloc(sizeof(*a));

	/* Out of memory: the handle is lost, still never closed. */
	if (a != NULL) {
		a->h = ch->h;
		a->next = abandoned;
		abandoned = a;
	}
	free(ch);
}

static int
xen_evtchn_notify(struct xenplat_evtchn *base)
{
	struct xp_xen_evtchn *ch = (struct xp_xen_evtchn *)base;

	return xenevtchn_notify(ch->h, base->port) == 0 ? 0 : -errno;
}

/* The kernel masks a port when it delivers it: unmask once consumed. */
static int
xen_evtchn_consume(struct xenplat_evtchn *base)
{
	struct xp_xen_evtchn *ch = (struct xp_xen_evtchn *)base;
	xenevtchn_port_or_error_t port = xenevtchn_pending(ch->h);

	if (port < 0)
		return errno == EAGAIN ? 0 : -errno;
	if (xenevtchn_unmask(ch->h, (evtchn_port_t)port) != 0)
		return -errno;
	return 1;
}

/* gntalloc's module parameter: a count for the whole guest kernel. */
static unsigned int
xen_grant_limit(struct xenplat *xp)
{
	unsigned int limit = 0;
	FILE *f = fopen("/sys/module/xen_gntalloc/parameters/limit", "re");

	if (f == NULL)
		return 0;
	if (fscanf(f, "%u", &limit) != 1)
		limit = 0;
	fclose(f);
	return limit;
}

static const struct xenplat_ops xen_ops = {
	.name = "xen",
	.close = xen_close,
	.share = xen_share,
	.unshare = xen_unshare,
	.grant_limit = xen_grant_limit,
	.evtchn_alloc = xen_evtchn_alloc,
	.evtchn_free = xen_evtchn_free,
	.evtchn_abandon = xen_evtchn_abandon,
	.evtchn_notify = xen_evtchn_notify,
	.evtchn_consume = xen_evtchn_consume,
};

struct xenplat *
xenplat_xen_open(char *err, size_t len)
{
	struct xp_xen *x;
	unsigned int i;

	for (i = 0; i < sizeof(xen_devices) / sizeof(xen_devices[0]); i++)
		if (access(xen_devices[i], F_OK) != 0) {
			snprintf(err, len, "no Xen here: %s missing (not a "
				 "Xen guest, or modprobe xen-gntalloc "
				 "xen-evtchn)", xen_devices[i]);
			return NULL;
		}
	x = calloc(1, sizeof(*x));
	if (x == NULL) {
		snprintf(err, len, "out of memory");
		return NULL;
	}
	x->gs = xengntshr_open(NULL, 0);
	if (x->gs == NULL) {
		snprintf(err, len, "cannot open /dev/xen/gntalloc: %s",
			 strerror(errno));
		free(x);
		return NULL;
	}
	x->base.ops = &xen_ops;
	return &x->base;
}
