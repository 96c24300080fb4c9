/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A domain's grant table with Xen's v1 semantics. The granting side (share,
 * unshare) runs on the loop thread; copies and mappings run on netback data
 * threads. Entries change with atomics the way Xen and a guest race on a
 * real table; a per-entry spinlock (Xen's active entry lock) keeps the pin
 * counts and the in-use flags consistent with each other.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "gnttab.h"

#define GNT_PAGE_SIZE	4096u
#define GNT_BUSY	(GTF_reading | GTF_writing)

/* flags and domid side by side: checked and changed in one cmpxchg. */
union gnt_hdr {
	uint32_t word;
	struct {
		uint16_t flags;
		domid_t domid;
	} f;
};

union gnt_entry {
	struct grant_entry_v1 v1;
	uint32_t hdr;
};

enum slot_state {
	SLOT_FREE,
	SLOT_GRANTED,
	SLOT_ENDING,	/* unshared while in use: ended by the last unpin */
};

/* What Xen keeps beside the guest-visible entry (its "active entry"). */
struct gnt_slot {
	uint8_t lock;
	uint8_t state;		/* atomic: a data thread may free the slot */
	uint16_t writers;	/* pins that write */
	uint32_t pins;		/* mappings (a copy holds the lock instead) */
	uint32_t ro_maps;
	uint32_t rw_maps;
	struct gnt_share *sh;
	void *page;
};

/* One gnttab_share() call: a memfd mapped here, one grant per page. */
struct gnt_share {
	struct gnt_share *next;
	uint64_t handle;
	void *base;
	unsigned int count;
	unsigned int live;	/* atomic: grants not yet ended */
	bool ended;		/* unshared; unmapped once live is 0 */
	grant_ref_t refs[];
};

struct gnttab {
	domid_t owner;
	unsigned int nr_refs;
	grant_ref_t cursor;
	uint64_t next_handle;
	union gnt_entry *entries;
	struct gnt_slot *slots;
	struct gnt_share *shares;
	struct gnttab_stats st;		/* relaxed atomics */
};

static void
stat_add(uint64_t *ctr, int64_t n)
{
	__atomic_fetch_add(ctr, (uint64_t)n, __ATOMIC_RELAXED);
}

static void
slot_lock(struct gnt_slot *s)
{
	while (__atomic_test_and_set(&s->lock, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&s->lock, __ATOMIC_RELAXED))
			;
}

static void
slot_unlock(struct gnt_slot *s)
{
	__atomic_clear(&s->lock, __ATOMIC_RELEASE);
}

struct gnttab *
gnttab_create(domid_t owner, unsigned int nr_refs)
{
	struct gnttab *gt;

	if (nr_refs <= GNTTAB_NR_RESERVED_ENTRIES || nr_refs > (1u << 24))
		return NULL;
	gt = calloc(1, sizeof(*gt));
	if (gt == NULL)
		return NULL;
	gt->owner = owner;
	gt->nr_refs = nr_refs;
	gt->cursor = GNTTAB_NR_RESERVED_ENTRIES;
	gt->next_handle = 1;
	gt->entries = calloc(nr_refs, sizeof(*gt->entries));
	gt->slots = calloc(nr_refs, sizeof(*gt->slots));
	if (gt->entries == NULL || gt->slots == NULL) {
		gnttab_destroy(gt);
		return NULL;
	}
	return gt;
}

static void
share_free(struct gnt_share *sh)
{
	munmap(sh->base, (size_t)sh->count * GNT_PAGE_SIZE);
	free(sh);
}

void
gnttab_destroy(struct gnttab *gt)
{
	if (gt == NULL)
		return;
	while (gt->shares != NULL) {
		struct gnt_share *sh = gt->shares;

		gt->shares = sh->next;
		share_free(sh);
	}
	free(gt->entries);
	free(gt->slots);
	free(gt);
}

/* Unmap the shares whose last busy grant a data thread has since ended. */
static void
reap(struct gnttab *gt)
{
	struct gnt_share **psh = &gt->shares;

	while (*psh != NULL) {
		struct gnt_share *sh = *psh;

		if (sh->ended &&
		    __atomic_load_n(&sh->live, __ATOMIC_ACQUIRE) == 0) {
			*psh = sh->next;
			share_free(sh);
		} else {
			psh = &sh->next;
		}
	}
}

/* Collect count free refs from the cursor on; the loop thread alone
 * allocates, so the slots stay free until it marks them. */
static int
pick_refs(struct gnttab *gt, unsigned int count, grant_ref_t *refs)
{
	unsigned int found = 0, seen;
	grant_ref_t ref = gt->cursor;

	for (seen = GNTTAB_NR_RESERVED_ENTRIES;
	     seen < gt->nr_refs && found < count; seen++) {
		if (__atomic_load_n(&gt->slots[ref].state,
				    __ATOMIC_ACQUIRE) == SLOT_FREE)
			refs[found++] = ref;
		if (++ref == gt->nr_refs)
			ref = GNTTAB_NR_RESERVED_ENTRIES;
	}
	if (found < count)
		return -ENOSPC;
	/* Round robin: a stale ref keeps failing for a while, as on Xen. */
	gt->cursor = ref;
	return 0;
}

int
gnttab_share(struct gnttab *gt, domid_t grantee, unsigned int count,
	     bool writable, grant_ref_t *refs, int *memfd, uint64_t *handle)
{
	size_t size = (size_t)count * GNT_PAGE_SIZE;
	union gnt_hdr hdr = { .f = {
		.flags = GTF_permit_access | (writable ? 0 : GTF_readonly),
		.domid = grantee } };
	struct gnt_share *sh;
	unsigned int i;
	int fd, rc;

	if (count == 0 || count > gt->nr_refs - GNTTAB_NR_RESERVED_ENTRIES)
		return -EINVAL;
	reap(gt);
	sh = calloc(1, sizeof(*sh) + count * sizeof(sh->refs[0]));
	if (sh == NULL)
		return -ENOMEM;
	rc = pick_refs(gt, count, sh->refs);
	if (rc != 0) {
		free(sh);
		return rc;
	}
	fd = memfd_create("xensim-grant", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, (off_t)size) != 0) {
		rc = -errno;
		goto fail;
	}
	sh->base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (sh->base == MAP_FAILED) {
		rc = -errno;
		goto fail;
	}
	sh->count = count;
	sh->live = count;
	sh->handle = gt->next_handle++;
	for (i = 0; i < count; i++) {
		grant_ref_t ref = sh->refs[i];
		struct gnt_slot *s = &gt->slots[ref];

		s->sh = sh;
		s->page = (char *)sh->base + (size_t)i * GNT_PAGE_SIZE;
		__atomic_store_n(&s->state, SLOT_GRANTED, __ATOMIC_RELAXED);
		/* xensim numbers a grant's frame like its ref. */
		gt->entries[ref].v1.frame = ref;
		/* Flags last: the entry is valid only once complete. */
		__atomic_store_n(&gt->entries[ref].hdr, hdr.word,
				 __ATOMIC_RELEASE);
		refs[i] = ref;
	}
	sh->next = gt->shares;
	gt->shares = sh;
	stat_add(&gt->st.shared, count);
	*memfd = fd;
	*handle = sh->handle;
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	free(sh);
	return rc;
}

/* Slot locked. End a grant nobody uses, as the granter's cmpxchg does:
 * false when the entry is in use. */
static bool
end_access(struct gnttab *gt, grant_ref_t ref)
{
	union gnt_entry *e = &gt->entries[ref];
	struct gnt_slot *s = &gt->slots[ref];
	union gnt_hdr old = { .word = __atomic_load_n(&e->hdr,
						      __ATOMIC_ACQUIRE) };

	do {
		if (old.f.flags & GNT_BUSY)
			return false;
	} while (!__atomic_compare_exchange_n(&e->hdr, &old.word, 0, false,
					      __ATOMIC_ACQ_REL,
					      __ATOMIC_ACQUIRE));
	__atomic_fetch_sub(&s->sh->live, 1, __ATOMIC_RELEASE);
	/* gnttab_forget() uncounted a grant it ended. */
	if (old.f.flags & GTF_permit_access)
		stat_add(&gt->st.shared, -1);
	__atomic_store_n(&s->state, SLOT_FREE, __ATOMIC_RELEASE);
	return true;
}

int
gnttab_unshare(struct gnttab *gt, uint64_t handle)
{
	struct gnt_share *sh;
	unsigned int i, busy = 0;

	for (sh = gt->shares; sh != NULL; sh = sh->next)
		if (sh->handle == handle && !sh->ended)
			break;
	if (sh == NULL)
		return -ENOENT;
	sh->ended = true;
	for (i = 0; i < sh->count; i++) {
		grant_ref_t ref = sh->refs[i];
		struct gnt_slot *s = &gt->slots[ref];

		slot_lock(s);
		if (!end_access(gt, ref)) {
			__atomic_store_n(&s->state, SLOT_ENDING,
					 __ATOMIC_RELAXED);
			busy++;
			fprintf(stderr, "xensim: dom%u ref %u ended while in "
				"use\n", gt->owner, ref);
		}
		slot_unlock(s);
	}
	stat_add(&gt->st.end_busy, busy);
	reap(gt);
	return busy ? -EBUSY : 0;
}

void
gnttab_forget(struct gnttab *gt)
{
	grant_ref_t ref;

	for (ref = GNTTAB_NR_RESERVED_ENTRIES; ref < gt->nr_refs; ref++) {
		struct gnt_slot *s = &gt->slots[ref];
		union gnt_hdr keep = { .f = { .flags = GNT_BUSY,
					      .domid = 0xffff } }, old;

		if (__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) == SLOT_FREE)
			continue;
		slot_lock(s);
		/* A mapping keeps its in-use flags and grantee for its unmap;
		 * the rest of the entry is zeroed, as in a fresh table. */
		if (s->pins == 0)
			keep.word = 0;
		old.word = __atomic_fetch_and(&gt->entries[ref].hdr, keep.word,
					      __ATOMIC_ACQ_REL);
		if (old.f.flags & GTF_permit_access)
			stat_add(&gt->st.shared, -1);
		slot_unlock(s);
	}
}

static int16_t
refuse(struct gnttab *gt, int16_t status)
{
	stat_add(&gt->st.refused, 1);
	return status;
}

/* May caller use a grant with this header (to write, if write)? */
static int16_t
hdr_permits(union gnt_hdr h, domid_t caller, bool write)
{
	if ((h.f.flags & GTF_type_mask) != GTF_permit_access)
		return GNTST_bad_gntref;
	if (h.f.domid != caller || (write && (h.f.flags & GTF_readonly)))
		return GNTST_permission_denied;
	return GNTST_okay;
}

/*
 * Map ref for caller, taking a use like Xen's _set_status(): re-check the
 * entry in a cmpxchg loop so that it cannot end between check and pin.
 */
static int16_t
pin_map(struct gnttab *gt, domid_t caller, grant_ref_t ref, bool write)
{
	uint16_t busy = GTF_reading | (write ? GTF_writing : 0);
	union gnt_entry *e;
	struct gnt_slot *s;
	union gnt_hdr old, new;
	int16_t rc;

	if (ref >= gt->nr_refs)
		return refuse(gt, GNTST_bad_gntref);
	e = &gt->entries[ref];
	s = &gt->slots[ref];
	slot_lock(s);
	old.word = __atomic_load_n(&e->hdr, __ATOMIC_ACQUIRE);
	do {
		rc = hdr_permits(old, caller, write);
		if (rc != GNTST_okay)
			goto out;
		new = old;
		new.f.flags |= busy;
	} while (!__atomic_compare_exchange_n(&e->hdr, &old.word, new.word,
					      false, __ATOMIC_ACQUIRE,
					      __ATOMIC_ACQUIRE));
	s->pins++;
	if (write)
		s->writers++;
	(*(write ? &s->rw_maps : &s->ro_maps))++;
out:
	slot_unlock(s);
	return rc == GNTST_okay ? rc : refuse(gt, rc);
}

/* Slot locked. Drop a use; the last one ends a grant unshared meanwhile. */
static void
unpin_locked(struct gnttab *gt, grant_ref_t ref, bool write)
{
	struct gnt_slot *s = &gt->slots[ref];
	union gnt_hdr keep = { .f = { .flags = 0xffff, .domid = 0xffff } };

	if (write && --s->writers == 0)
		keep.f.flags &= ~GTF_writing;
	if (--s->pins == 0)
		keep.f.flags &= ~GTF_reading;
	__atomic_fetch_and(&gt->entries[ref].hdr, keep.word, __ATOMIC_RELEASE);
	if (s->pins == 0 &&
	    __atomic_load_n(&s->state, __ATOMIC_RELAXED) == SLOT_ENDING)
		end_access(gt, ref);
}

/*
 * A copy holds the slot lock from check to end, instead of pinning: the
 * granter ends a grant under the same lock (end_access), so it cannot end
 * mid-copy, and no one but the lock holder could see the in-use flags that
 * Xen sets against a guest's lock-free cmpxchg. Cheaper by three atomics
 * per copy, which at small frames is most of the copy's cost.
 */
static int16_t
copy(struct gnttab *gt, domid_t caller, grant_ref_t ref, unsigned int off,
     unsigned int len, bool write, void *buf)
{
	struct gnt_slot *s;
	union gnt_hdr h;
	int16_t rc;
	char *page;

	if (off > GNT_PAGE_SIZE || len > GNT_PAGE_SIZE - off)
		return refuse(gt, GNTST_bad_copy_arg);
	if (ref >= gt->nr_refs)
		return refuse(gt, GNTST_bad_gntref);
	s = &gt->slots[ref];
	slot_lock(s);
	h.word = __atomic_load_n(&gt->entries[ref].hdr, __ATOMIC_ACQUIRE);
	rc = hdr_permits(h, caller, write);
	if (rc == GNTST_okay) {
		page = (char *)s->page + off;
		if (write)
			memcpy(page, buf, len);
		else
			memcpy(buf, page, len);
	}
	slot_unlock(s);
	if (rc != GNTST_okay)
		return refuse(gt, rc);
	stat_add(&gt->st.copies, 1);
	return GNTST_okay;
}

int16_t
gnttab_copy_from(struct gnttab *gt, domid_t caller, grant_ref_t ref,
		 unsigned int off, unsigned int len, void *dst)
{
	return copy(gt, caller, ref, off, len, false, dst);
}

int16_t
gnttab_copy_to(struct gnttab *gt, domid_t caller, grant_ref_t ref,
	       unsigned int off, unsigned int len, const void *src)
{
	return copy(gt, caller, ref, off, len, true, (void *)src);
}

void
gnttab_prefetch(const struct gnttab *gt, grant_ref_t ref, unsigned int off,
		unsigned int len)
{
	const char *page;
	unsigned int o;

	if (ref >= gt->nr_refs || off >= GNT_PAGE_SIZE)
		return;
	/* Racing an unshare is harmless: a prefetch does not fault. */
	page = __atomic_load_n(&gt->slots[ref].page, __ATOMIC_RELAXED);
	if (page == NULL)
		return;
	if (len > GNT_PAGE_SIZE - off)
		len = GNT_PAGE_SIZE - off;
	for (o = off & ~63u; o < off + len; o += 64)
		__builtin_prefetch(page + o);
}

int16_t
gnttab_map(struct gnttab *gt, domid_t caller, grant_ref_t ref,
	   bool readonly, void **addr)
{
	int16_t rc = pin_map(gt, caller, ref, !readonly);

	if (rc == GNTST_okay)
		*addr = gt->slots[ref].page;
	return rc;
}

int16_t
gnttab_unmap(struct gnttab *gt, domid_t caller, grant_ref_t ref)
{
	struct gnt_slot *s;
	union gnt_hdr hdr;
	int16_t rc = GNTST_okay;

	if (ref >= gt->nr_refs)
		return refuse(gt, GNTST_bad_gntref);
	s = &gt->slots[ref];
	slot_lock(s);
	hdr.word = __atomic_load_n(&gt->entries[ref].hdr, __ATOMIC_ACQUIRE);
	if (s->ro_maps + s->rw_maps == 0) {
		rc = GNTST_bad_handle;
	} else if (hdr.f.domid != caller) {
		rc = GNTST_permission_denied;
	} else {
		/* Read-only first: never clears GTF_writing too early. */
		bool write = s->ro_maps == 0;

		if (write)
			s->rw_maps--;
		else
			s->ro_maps--;
		unpin_locked(gt, ref, write);
	}
	slot_unlock(s);
	return rc == GNTST_okay ? rc : refuse(gt, rc);
}

void
gnttab_get_stats(const struct gnttab *gt, struct gnttab_stats *st)
{
	st->shared = __atomic_load_n(&gt->st.shared, __ATOMIC_RELAXED);
	st->copies = __atomic_load_n(&gt->st.copies, __ATOMIC_RELAXED);
	st->refused = __atomic_load_n(&gt->st.refused, __ATOMIC_RELAXED);
	st->end_busy = __atomic_load_n(&gt->st.end_busy, __ATOMIC_RELAXED);
}
