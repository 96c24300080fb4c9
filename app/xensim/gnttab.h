/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef XENSIM_GNTTAB_H
#define XENSIM_GNTTAB_H

#include <stdbool.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/grant_table.h>

/*
 * One domain's grant table, Xen v1 semantics: struct grant_entry_v1 entries
 * (flags, domid, frame) over pages that the domain shared through its
 * hypervisor socket (the gntalloc path). The granting side runs on the loop
 * thread; the copy/map side runs on netback data threads, so entry flags
 * are updated atomically as Xen does (GTF_reading/GTF_writing while a
 * mapping is in progress; a copy holds the entry's lock instead, which
 * keeps the grant from ending just as well).
 */

struct gnttab;

struct gnttab_stats {
	uint64_t shared;	/* grants currently active */
	uint64_t copies;
	uint64_t refused;	/* copy/map refused (any GNTST_ error) */
	uint64_t end_busy;	/* end-of-access attempted while in use */
};

struct gnttab *gnttab_create(domid_t owner, unsigned int nr_refs);
void gnttab_destroy(struct gnttab *gt);

/*
 * Granting side (the guest, through gntalloc). Allocates count zeroed pages,
 * one grant entry each for grantee, writable or read-only. On success fills
 * refs[] and returns a memfd holding the pages (the caller maps and closes
 * it) and an opaque handle for gnttab_unshare(); -errno on failure.
 */
int gnttab_share(struct gnttab *gt, domid_t grantee, unsigned int count,
		 bool writable, grant_ref_t *refs, int *memfd, uint64_t *handle);
/*
 * End access to every grant of handle. A grant still mapped or being copied
 * is not freed under the backend: it stays until released, is counted in
 * end_busy, and -EBUSY is returned.
 */
int gnttab_unshare(struct gnttab *gt, uint64_t handle);
/*
 * The domain was restored: it is a new domain with a fresh table, so every
 * grant ends at once and a copy or map of an old ref is refused as for any
 * ungranted ref. The refs stay their shares' (the guest's gntalloc still
 * holds them): gnttab_unshare() frees them and finds nothing busy, unless a
 * backend still maps one, which keeps what its unmap needs.
 */
void gnttab_forget(struct gnttab *gt);

/* Backend side, as domain caller. Return GNTST_okay or a GNTST_ error. */
int16_t gnttab_copy_from(struct gnttab *gt, domid_t caller, grant_ref_t ref,
			 unsigned int off, unsigned int len, void *dst);
int16_t gnttab_copy_to(struct gnttab *gt, domid_t caller, grant_ref_t ref,
		       unsigned int off, unsigned int len, const void *src);
/*
 * A hint that a copy will soon read bytes [off, off + len) of ref's page:
 * starts fetching them. Checks no permission and never faults.
 */
void gnttab_prefetch(const struct gnttab *gt, grant_ref_t ref,
		     unsigned int off, unsigned int len);
int16_t gnttab_map(struct gnttab *gt, domid_t caller, grant_ref_t ref,
		   bool readonly, void **addr);
int16_t gnttab_unmap(struct gnttab *gt, domid_t caller, grant_ref_t ref);

void gnttab_get_stats(const struct gnttab *gt, struct gnttab_stats *st);

#endif
