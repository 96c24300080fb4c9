/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The platform layer as the micro-benchmarks need it: "granted" pages are
 * page-aligned heap memory with made-up grant references, and event
 * channels are inert. The driver's pool and queue code runs unchanged on
 * top, and its data path makes no system call, so the benchmarks time the
 * driver alone. Only what the driver's pool, queue and burst code call is
 * here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xenplat.h"

#define FAKE_PAGE	4096u
/* Xen reserves the first grant entries for the toolstack. */
#define FAKE_FIRST_REF	8u

struct xenplat {
	uint32_t next_ref;
	uint32_t next_port;
	char err[128];
};

struct xenplat_evtchn {
	uint32_t port;
};

struct xenplat *
xenplat_open(const char *xensim_dir, char *err, size_t len)
{
	struct xenplat *xp = calloc(1, sizeof(*xp));

	if (xp == NULL) {
		snprintf(err, len, "no memory for the fake platform");
		return NULL;
	}
	xp->next_ref = FAKE_FIRST_REF;
	return xp;
}

void
xenplat_close(struct xenplat *xp)
{
	free(xp);
}

const char *
xenplat_name(const struct xenplat *xp)
{
	return "fake";
}

const char *
xenplat_strerror(const struct xenplat *xp)
{
	return xp->err;
}

void *
xenplat_share(struct xenplat *xp, uint16_t domid, unsigned int count,
	      bool writable, uint32_t *refs)
{
	size_t len = (size_t)count * FAKE_PAGE;
	void *p = aligned_alloc(FAKE_PAGE, len);
	unsigned int i;

	if (p == NULL) {
		snprintf(xp->err, sizeof(xp->err), "cannot allocate %u pages",
			 count);
		return NULL;
	}
	memset(p, 0, len);
	for (i = 0; i < count; i++)
		refs[i] = xp->next_ref++;
	return p;
}

int
xenplat_unshare(struct xenplat *xp, void *addr, unsigned int count)
{
	free(addr);
	return 0;
}

unsigned int
xenplat_grant_limit(struct xenplat *xp)
{
	return 0;
}

struct xenplat_evtchn *
xenplat_evtchn_alloc(struct xenplat *xp, uint16_t remote)
{
	struct xenplat_evtchn *ch = calloc(1, sizeof(*ch));

	if (ch == NULL)
		snprintf(xp->err, sizeof(xp->err),
			 "no memory for an event channel");
	else
		ch->port = ++xp->next_port;
	return ch;
}

uint32_t
xenplat_evtchn_port(const struct xenplat_evtchn *ch)
{
	return ch->port;
}

void
xenplat_evtchn_free(struct xenplat_evtchn *ch)
{
	free(ch);
}

void
xenplat_evtchn_abandon(struct xenplat_evtchn *ch)
{
	free(ch);
}

/* The driver counts its kicks itself; the fixture checks that count. */
int
xenplat_evtchn_notify(struct xenplat_evtchn *ch)
{
	return 0;
}
