/* SPDX-License-Identifier: BSD-3-Clause */
/* The platform interface: checks shared by both implementations. */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xenstore.h>

#include "xenplat_ops.h"
#include "xensim_proto.h"

/*
 * The simulated platform is not part of this library (nor of the PMD built
 * on it): the xensim serving dir links its client module there
 * (xensim_proto.h), so the guest speaks that xensim's protocol exactly.
 */
static struct xenplat *
open_module(const char *dir, char *err, size_t len)
{
	xenplat_sim_open_t *open_fn;
	char path[PATH_MAX];
	struct xenplat *xp;
	void *module;

	if ((size_t)snprintf(path, sizeof(path), "%s/" XSIM_CLIENT_MODULE,
			     dir) >= sizeof(path)) {
		snprintf(err, len, "xensim directory path too long: %s", dir);
		return NULL;
	}
	module = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (module == NULL) {
		snprintf(err, len, "cannot reach xensim at %s: %s (is xensim "
			 "serving %s?)", dir, dlerror(), dir);
		return NULL;
	}
	open_fn = (xenplat_sim_open_t *)dlsym(module, XENPLAT_SIM_ENTRY);
	if (open_fn == NULL) {
		snprintf(err, len, "xensim at %s: %s (built from another "
			 "version of dpdk-netfront?)", dir, dlerror());
		dlclose(module);
		return NULL;
	}
	xp = open_fn(dir, err, len);
	if (xp == NULL) {
		dlclose(module);
		return NULL;
	}
	xp->module = module;
	return xp;
}

struct xenplat *
xenplat_open(const char *xensim_dir, char *err, size_t len)
{
	if (xensim_dir == NULL)
		return xenplat_xen_open(err, len);
	return open_module(xensim_dir, err, len);
}

void
xenplat_close(struct xenplat *xp)
{
	void *module;

	if (xp == NULL)
		return;
	module = xp->module;
	xp->ops->close(xp);
	if (module != NULL)
		dlclose(module);
}

const char *
xenplat_name(const struct xenplat *xp)
{
	return xp->ops->name;
}

const char *
xenplat_strerror(const struct xenplat *xp)
{
	return xp->err;
}

/*
 * libxenstore picks its socket from XENSTORED_PATH, falling back to the
 * kernel's xenbus device: point it at this platform for the one call.
 */
struct xs_handle *
xenplat_xs_open(struct xenplat *xp)
{
	const char *prev = getenv("XENSTORED_PATH");
	char *saved = prev != NULL ? strdup(prev) : NULL;
	bool sim = xp->xs_path[0] != '\0';
	struct xs_handle *xsh;
	int err;

	if (prev != NULL && saved == NULL) {
		xenplat_err(xp, -ENOMEM, "out of memory");
		return NULL;
	}
	if (sim)
		setenv("XENSTORED_PATH", xp->xs_path, 1);
	else
		unsetenv("XENSTORED_PATH");
	/* A simulated guest must never reach a real xenbus. */
	xsh = xs_open(sim ? XS_OPEN_SOCKETONLY : 0);
	err = errno;
	if (saved != NULL)
		setenv("XENSTORED_PATH", saved, 1);
	else
		unsetenv("XENSTORED_PATH");
	free(saved);
	if (xsh == NULL)
		xenplat_err(xp, -err, "cannot open xenstore at %s: %s",
			    sim ? xp->xs_path : "/dev/xen/xenbus",
			    strerror(err));
	return xsh;
}

void *
xenplat_share(struct xenplat *xp, uint16_t domid, unsigned int count,
	      bool writable, uint32_t *refs)
{
	if (count == 0 || refs == NULL) {
		xenplat_err(xp, -EINVAL, "share: need at least one page and "
			    "room for its refs");
		return NULL;
	}
	return xp->ops->share(xp, domid, count, writable, refs);
}

int
xenplat_unshare(struct xenplat *xp, void *addr, unsigned int count)
{
	return xp->ops->unshare(xp, addr, count);
}

unsigned int
xenplat_grant_limit(struct xenplat *xp)
{
	return xp->ops->grant_limit(xp);
}

struct xenplat_evtchn *
xenplat_evtchn_alloc(struct xenplat *xp, uint16_t remote)
{
	return xp->ops->evtchn_alloc(xp, remote);
}

void
xenplat_evtchn_free(struct xenplat_evtchn *ch)
{
	if (ch != NULL)
		ch->xp->ops->evtchn_free(ch);
}

void
xenplat_evtchn_abandon(struct xenplat_evtchn *ch)
{
	if (ch != NULL)
		ch->xp->ops->evtchn_abandon(ch);
}

uint32_t
xenplat_evtchn_port(const struct xenplat_evtchn *ch)
{
	return ch->port;
}

int
xenplat_evtchn_notify(struct xenplat_evtchn *ch)
{
	return ch->xp->ops->evtchn_notify(ch);
}

int
xenplat_evtchn_fd(const struct xenplat_evtchn *ch)
{
	return ch->fd;
}

int
xenplat_evtchn_wait(struct xenplat_evtchn *ch, int timeout_ms)
{
	struct pollfd pfd = { .fd = ch->fd, .events = POLLIN };
	int n;

	/* Masked: whatever arrives stays pending until unmask. */
	if (ch->masked)
		return 0;
	n = poll(&pfd, 1, timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	if (n == 0)
		return 0;
	return ch->xp->ops->evtchn_consume(ch);
}

void
xenplat_evtchn_mask(struct xenplat_evtchn *ch)
{
	ch->masked = true;
}

void
xenplat_evtchn_unmask(struct xenplat_evtchn *ch)
{
	ch->masked = false;
}
