/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef XENPLAT_H
#define XENPLAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The platform below the netfront driver: sharing pages with another domain
 * (grants) and event channels. Two implementations behind one interface:
 *   xen    - libxengnttab (gntalloc) and libxenevtchn on /dev/xen;
 *   xensim - the simulated hypervisor's socket in a domain directory,
 *            through the module the serving xensim links there (loaded
 *            only then: xensim_proto.h).
 * xenstore is not here: it is always the real libxenstore, see
 * xenplat_xs_open().
 *
 * Errors: functions return NULL or -errno and leave a message for the
 * caller in xenplat_strerror() (per handle, not thread-safe; setup paths
 * only).
 */

struct xenplat;
struct xenplat_evtchn;
struct xs_handle;

/*
 * xensim_dir NULL: real Xen; else xensim's RUN/domN. On failure NULL and a
 * message in err (the dynamic loader's, if the module will not load).
 */
struct xenplat *xenplat_open(const char *xensim_dir, char *err, size_t len);
void xenplat_close(struct xenplat *xp);
const char *xenplat_name(const struct xenplat *xp);
const char *xenplat_strerror(const struct xenplat *xp);

/* A libxenstore handle reaching this platform's xenstore. */
struct xs_handle *xenplat_xs_open(struct xenplat *xp);

/*
 * Share count zeroed pages with domid; refs[] receives one grant ref per
 * page. Returns the page-aligned mapping, or NULL.
 */
void *xenplat_share(struct xenplat *xp, uint16_t domid, unsigned int count,
		    bool writable, uint32_t *refs);
/*
 * Pages this guest may share at once, all its processes together
 * (gntalloc's limit is one number for the whole kernel); 0: unknown or
 * unlimited.
 */
unsigned int xenplat_grant_limit(struct xenplat *xp);
/* End access to a whole region returned by xenplat_share(). -EBUSY when
 * the backend still uses a page: that page is freed once it lets go. */
int xenplat_unshare(struct xenplat *xp, void *addr, unsigned int count);

/* An unbound port offered to remote domid (EVTCHNOP_alloc_unbound). */
struct xenplat_evtchn *xenplat_evtchn_alloc(struct xenplat *xp,
					    uint16_t remote);
void xenplat_evtchn_free(struct xenplat_evtchn *ch);
/*
 * A port that died with the domain before a save/restore: the guest is a
 * new domain and the number may now be another binding's. Linux cannot
 * unbind it (drivers/xen/evtchn.c BUG()s on a port the resume unbound,
 * at IOCTL_EVTCHN_UNBIND and again when its fd is closed), so it is left
 * bound, unused, for the life of the process.
 */
void xenplat_evtchn_abandon(struct xenplat_evtchn *ch);
uint32_t xenplat_evtchn_port(const struct xenplat_evtchn *ch);
int xenplat_evtchn_notify(struct xenplat_evtchn *ch);
/* For poll/epoll: readable when an event may be pending. */
int xenplat_evtchn_fd(const struct xenplat_evtchn *ch);
/*
 * Wait up to timeout_ms (0: poll, -1: forever) for an event, consume it and
 * unmask the port. 1: an event arrived; 0: none; -errno on error. While the
 * port is masked an event stays pending and is returned after unmask.
 */
int xenplat_evtchn_wait(struct xenplat_evtchn *ch, int timeout_ms);
void xenplat_evtchn_mask(struct xenplat_evtchn *ch);
void xenplat_evtchn_unmask(struct xenplat_evtchn *ch);

#endif
