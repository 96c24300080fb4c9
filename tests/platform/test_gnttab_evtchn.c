/* SPDX-License-Identifier: BSD-3-Clause */
/* xensim's grant table and event channels, called directly. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "evtchn.h"
#include "gnttab.h"
#include "check.h"

#define PAGE	4096u

int failures;
/* The value a CHECK compared, for its message. */
static long long got;

static struct gnttab_stats
stats(struct gnttab *gt)
{
	struct gnttab_stats st;

	gnttab_get_stats(gt, &st);
	return st;
}

/* Share count pages from dom1 to grantee and map them here. */
static uint8_t *
share(struct gnttab *gt, domid_t grantee, unsigned int count, bool writable,
      grant_ref_t *refs, uint64_t *handle)
{
	int memfd;
	void *p;

	if (gnttab_share(gt, grantee, count, writable, refs, &memfd,
			 handle) != 0)
		return NULL;
	p = mmap(NULL, count * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
		 memfd, 0);
	close(memfd);
	return p == MAP_FAILED ? NULL : p;
}

static void
test_refusals(void)
{
	struct gnttab *gt = gnttab_create(1, 64);
	uint8_t buf[PAGE], *pg, *ro;
	grant_ref_t refs[2], rref;
	void *addr = NULL;
	uint64_t h, rh;
	unsigned int i;

	CHECK(gnttab_create(1, GNTTAB_NR_RESERVED_ENTRIES) == NULL);
	pg = share(gt, 0, 2, true, refs, &h);
	CHECK(pg != NULL);
	if (pg == NULL)
		return;
	for (i = 0; i < 2; i++)
		CHECK(refs[i] >= GNTTAB_NR_RESERVED_ENTRIES && refs[i] < 64);
	CHECK(refs[0] != refs[1]);
	CHECK((got = pg[0] | pg[PAGE - 1] | pg[2 * PAGE - 1]) == 0,
	      "got %lld", got);	/* zeroed */
	memset(pg, 0xab, PAGE);
	memcpy(pg + PAGE, "second", 6);
	CHECK((got = stats(gt).shared) == 2, "got %lld", got);

	CHECK((got = gnttab_copy_from(gt, 0, refs[0], 0, PAGE, buf)) ==
	      GNTST_okay, "got %lld", got);
	CHECK(buf[0] == 0xab && buf[PAGE - 1] == 0xab);
	CHECK((got = gnttab_copy_from(gt, 0, refs[1], 0, 6, buf)) == GNTST_okay,
	      "got %lld", got);
	CHECK(memcmp(buf, "second", 6) == 0);
	CHECK((got = gnttab_copy_to(gt, 0, refs[1], 10, 3, "xyz")) ==
	      GNTST_okay, "got %lld", got);
	CHECK(memcmp(pg + PAGE + 10, "xyz", 3) == 0);
	CHECK((got = stats(gt).copies) == 3, "got %lld", got);

	/* Who: only the grantee. */
	CHECK((got = gnttab_copy_from(gt, 2, refs[0], 0, 1, buf)) ==
	      GNTST_permission_denied, "got %lld", got);
	CHECK((got = gnttab_copy_to(gt, 1, refs[0], 0, 1, buf)) ==
	      GNTST_permission_denied, "got %lld", got);
	/* Which: reserved, never granted, out of range. */
	CHECK((got = gnttab_copy_from(gt, 0, 0, 0, 1, buf)) == GNTST_bad_gntref,
	      "got %lld", got);
	CHECK((got = gnttab_copy_from(gt, 0, GNTTAB_NR_RESERVED_ENTRIES - 1,
				      0, 1, buf)) == GNTST_bad_gntref,
	      "got %lld", got);
	CHECK((got = gnttab_copy_from(gt, 0, 63, 0, 1, buf)) ==
	      GNTST_bad_gntref, "got %lld", got);
	CHECK((got = gnttab_copy_from(gt, 0, 64, 0, 1, buf)) ==
	      GNTST_bad_gntref, "got %lld", got);
	CHECK((got = gnttab_copy_to(gt, 0, 0xffffffffu, 0, 1, buf)) ==
	      GNTST_bad_gntref, "got %lld", got);
	/* Where: inside the page only. */
	CHECK((got = gnttab_copy_from(gt, 0, refs[0], PAGE - 1, 2, buf)) ==
	      GNTST_bad_copy_arg, "got %lld", got);
	CHECK((got = gnttab_copy_to(gt, 0, refs[0], 0, PAGE + 1, buf)) ==
	      GNTST_bad_copy_arg, "got %lld", got);
	CHECK((got = gnttab_copy_from(gt, 0, refs[0], 0xffffffffu, 2, buf)) ==
	      GNTST_bad_copy_arg, "got %lld", got);
	CHECK((got = gnttab_copy_from(gt, 0, refs[0], PAGE, 0, buf)) ==
	      GNTST_okay, "got %lld", got);
	CHECK((got = stats(gt).refused) == 10, "got %lld", got);

	/* Read-only: reads and read-only maps only. */
	ro = share(gt, 0, 1, false, &rref, &rh);
	CHECK(ro != NULL);
	CHECK((got = gnttab_copy_to(gt, 0, rref, 0, 1, "x")) ==
	      GNTST_permission_denied, "got %lld", got);
	CHECK((got = gnttab_copy_from(gt, 0, rref, 0, 1, buf)) == GNTST_okay,
	      "got %lld", got);
	CHECK((got = gnttab_map(gt, 0, rref, false, &addr)) ==
	      GNTST_permission_denied, "got %lld", got);
	CHECK((got = gnttab_map(gt, 0, rref, true, &addr)) == GNTST_okay,
	      "got %lld", got);
	CHECK((got = gnttab_unmap(gt, 2, rref)) == GNTST_permission_denied,
	      "got %lld", got);
	CHECK((got = gnttab_unmap(gt, 0, rref)) == GNTST_okay, "got %lld", got);
	CHECK((got = gnttab_unmap(gt, 0, rref)) == GNTST_bad_handle,
	      "got %lld", got);

	CHECK((got = gnttab_unshare(gt, h)) == 0, "got %lld", got);
	CHECK((got = gnttab_unshare(gt, h)) == -ENOENT, "got %lld", got);
	CHECK((got = gnttab_unshare(gt, rh)) == 0, "got %lld", got);
	CHECK((got = stats(gt).shared) == 0, "got %lld", got);
	CHECK((got = gnttab_copy_from(gt, 0, refs[0], 0, 1, buf)) ==
	      GNTST_bad_gntref, "got %lld", got);
	CHECK((got = stats(gt).end_busy) == 0, "got %lld", got);
	munmap(pg, 2 * PAGE);
	munmap(ro, PAGE);
	gnttab_destroy(gt);
}

static void
test_end_while_mapped(void)
{
	struct gnttab *gt = gnttab_create(3, 32);
	grant_ref_t refs[2];
	uint8_t buf[8], *pg;
	void *a1 = NULL, *a2 = NULL;
	uint64_t h;

	pg = share(gt, 0, 2, true, refs, &h);
	CHECK(pg != NULL);
	if (pg == NULL)
		return;
	/* Two mappings of refs[0]: the grant lives until both are gone. */
	CHECK((got = gnttab_map(gt, 0, refs[0], false, &a1)) == GNTST_okay,
	      "got %lld", got);
	CHECK((got = gnttab_map(gt, 0, refs[0], true, &a2)) == GNTST_okay,
	      "got %lld", got);
	CHECK(a1 == a2 && a1 != NULL);
	memcpy(a1, "mapped", 6);
	CHECK(memcmp(pg, "mapped", 6) == 0);

	CHECK((got = gnttab_unshare(gt, h)) == -EBUSY, "got %lld", got);
	CHECK((got = stats(gt).end_busy) == 1, "got %lld", got);
	CHECK((got = stats(gt).shared) == 1,
	      "got %lld", got);	/* refs[1] ended, refs[0] not */
	CHECK((got = gnttab_copy_from(gt, 0, refs[1], 0, 1, buf)) ==
	      GNTST_bad_gntref, "got %lld", got);
	/* Still the backend's until it lets go. */
	CHECK((got = gnttab_copy_from(gt, 0, refs[0], 0, 6, buf)) == GNTST_okay,
	      "got %lld", got);
	CHECK((got = gnttab_unmap(gt, 0, refs[0])) == GNTST_okay,
	      "got %lld", got);
	CHECK((got = stats(gt).shared) == 1, "got %lld", got);
	CHECK(memcmp(a1, "mapped", 6) == 0);
	CHECK((got = gnttab_unmap(gt, 0, refs[0])) == GNTST_okay,
	      "got %lld", got);
	CHECK((got = stats(gt).shared) == 0, "got %lld", got);
	CHECK((got = gnttab_copy_from(gt, 0, refs[0], 0, 1, buf)) ==
	      GNTST_bad_gntref, "got %lld", got);
	CHECK((got = gnttab_map(gt, 0, refs[0], true, &a1)) == GNTST_bad_gntref,
	      "got %lld", got);
	munmap(pg, 2 * PAGE);
	gnttab_destroy(gt);
}

/*
 * A restore: old refs grant nothing, a mapping held across it can still be
 * undone, and the refs stay the guest's until it unshares them, which
 * finds nothing busy. Granted to dom2: a zeroed entry names dom0.
 */
static void
test_forget(void)
{
	unsigned int usable = 16 - GNTTAB_NR_RESERVED_ENTRIES, i;
	struct gnttab *gt = gnttab_create(1, 16);
	grant_ref_t refs[2], nrefs[16];
	uint8_t buf[8], *pg, *np;
	void *addr = NULL;
	uint64_t h, nh, none;
	int fd;

	pg = share(gt, 2, 2, true, refs, &h);
	CHECK(pg != NULL);
	if (pg == NULL)
		return;
	CHECK((got = gnttab_map(gt, 2, refs[1], true, &addr)) == GNTST_okay,
	      "got %lld", got);
	gnttab_forget(gt);
	CHECK((got = stats(gt).shared) == 0, "got %lld", got);
	for (i = 0; i < 2; i++) {
		CHECK((got = gnttab_copy_from(gt, 2, refs[i], 0, 1, buf)) ==
		      GNTST_bad_gntref, "got %lld", got);
		CHECK((got = gnttab_copy_to(gt, 2, refs[i], 0, 1, buf)) ==
		      GNTST_bad_gntref, "got %lld", got);
		CHECK((got = gnttab_map(gt, 2, refs[i], true, &addr)) ==
		      GNTST_bad_gntref, "got %lld", got);
	}
	/* New shares get the other refs, all of them and no more. */
	np = share(gt, 2, usable - 2, true, nrefs, &nh);
	CHECK(np != NULL);
	for (i = 0; np != NULL && i < usable - 2; i++)
		CHECK(nrefs[i] != refs[0] && nrefs[i] != refs[1],
		      "ref %u shared again while the guest holds it", nrefs[i]);
	CHECK((got = gnttab_share(gt, 2, 1, true, nrefs, &fd, &none)) ==
	      -ENOSPC, "got %lld", got);
	CHECK((got = gnttab_copy_from(gt, 2, nrefs[0], 0, 1, buf)) ==
	      GNTST_okay, "got %lld", got);
	CHECK((got = stats(gt).shared) == usable - 2, "got %lld", got);
	CHECK((got = gnttab_unmap(gt, 2, refs[1])) == GNTST_okay,
	      "got %lld", got);
	CHECK((got = gnttab_unshare(gt, h)) == 0, "got %lld", got);
	CHECK((got = stats(gt).end_busy) == 0, "got %lld", got);
	CHECK((got = stats(gt).shared) == usable - 2, "got %lld", got);
	CHECK((got = gnttab_unshare(gt, nh)) == 0, "got %lld", got);
	CHECK((got = stats(gt).shared) == 0, "got %lld", got);
	munmap(pg, 2 * PAGE);
	if (np != NULL)
		munmap(np, (usable - 2) * PAGE);
	np = share(gt, 2, usable, true, nrefs, &nh);
	CHECK(np != NULL, "refs not freed by the unshares");
	if (np != NULL)
		munmap(np, usable * PAGE);
	gnttab_destroy(gt);
}

static void
test_exhaustion(void)
{
	unsigned int usable = 16 - GNTTAB_NR_RESERVED_ENTRIES;
	struct gnttab *gt = gnttab_create(1, 16);
	grant_ref_t refs[16];
	uint64_t h1, h2;
	uint8_t *p;
	int fd;

	CHECK((got = gnttab_share(gt, 0, 0, true, refs, &fd, &h1)) == -EINVAL,
	      "got %lld", got);
	CHECK((got = gnttab_share(gt, 0, usable + 1, true, refs, &fd, &h1)) ==
	      -EINVAL, "got %lld", got);
	p = share(gt, 0, usable - 1, true, refs, &h1);
	CHECK(p != NULL);
	CHECK((got = gnttab_share(gt, 0, 2, true, refs, &fd, &h2)) == -ENOSPC,
	      "got %lld", got);
	CHECK((got = stats(gt).shared) == usable - 1, "got %lld", got);
	CHECK((got = gnttab_unshare(gt, h1)) == 0, "got %lld", got);
	munmap(p, (usable - 1) * PAGE);
	p = share(gt, 0, usable, true, refs, &h2);
	CHECK(p != NULL);
	munmap(p, usable * PAGE);
	gnttab_destroy(gt);
}

/*
 * A backend thread copies while the granter shares and ends: every copy
 * either succeeds or sees the grant gone, and nothing leaks or crashes.
 */
struct race {
	struct gnttab *gt;
	grant_ref_t refs[4];
	int stop;
	unsigned long ok, gone, other;
};

static void *
race_copier(void *arg)
{
	struct race *r = arg;
	uint8_t buf[256];
	unsigned int i = 0;

	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		grant_ref_t ref = __atomic_load_n(&r->refs[i++ % 4],
						  __ATOMIC_RELAXED);
		int16_t st = i % 2 ? gnttab_copy_from(r->gt, 0, ref, 0,
						      sizeof(buf), buf) :
				     gnttab_copy_to(r->gt, 0, ref, 0,
						    sizeof(buf), buf);

		if (st == GNTST_okay)
			r->ok++;
		else if (st == GNTST_bad_gntref)
			r->gone++;
		else
			r->other++;
	}
	return NULL;
}

static void
test_race(void)
{
	struct race r = { .gt = gnttab_create(1, 64) };
	unsigned int i, j, busy = 0;
	int saved, devnull;
	pthread_t t;

	/* One "ended while in use" line per busy grant: keep the log short. */
	fflush(stderr);
	saved = dup(2);
	devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	dup2(devnull, 2);
	CHECK((got = pthread_create(&t, NULL, race_copier, &r)) == 0,
	      "got %lld", got);
	for (i = 0; i < 20000; i++) {
		grant_ref_t refs[4];
		uint64_t h;
		int fd, rc;

		if (gnttab_share(r.gt, 0, 4, true, refs, &fd, &h) != 0) {
			CHECK(0);
			break;
		}
		close(fd);
		for (j = 0; j < 4; j++)
			__atomic_store_n(&r.refs[j], refs[j], __ATOMIC_RELAXED);
		rc = gnttab_unshare(r.gt, h);
		CHECK(rc == 0 || rc == -EBUSY);
		busy += rc == -EBUSY;
	}
	__atomic_store_n(&r.stop, 1, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	dup2(saved, 2);
	close(saved);
	close(devnull);
	CHECK((got = r.other) == 0, "got %lld", got);
	CHECK(stats(r.gt).end_busy >= busy);
	CHECK((got = stats(r.gt).shared) == 0, "got %lld", got);
	printf("race: %lu copies, %lu refused, %u unshares found busy\n",
	       r.ok, r.gone, busy);
	gnttab_destroy(r.gt);
}

static bool
readable(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, 0) == 1;
}

static uint64_t
take(int fd)
{
	uint64_t n = 0;

	return read(fd, &n, sizeof(n)) == sizeof(n) ? n : 0;
}

static void
test_evtchn(void)
{
	struct evtchn_table *et = evtchn_table_create();
	evtchn_port_t p1, p2, p0, p;
	int w1, n1, w0, n0;

	CHECK((got = evtchn_alloc_unbound(et, 1, 0, &p1)) == 0,
	      "got %lld", got);
	CHECK((got = p1) == 1, "got %lld", got);
	CHECK((got = evtchn_alloc_unbound(et, 1, 0, &p2)) == 0,
	      "got %lld", got);
	CHECK((got = p2) == 2, "got %lld", got);
	/* Binding needs an unbound port offered to the binder. */
	CHECK((got = evtchn_bind_interdomain(et, 2, 1, p1, &p)) == -EACCES,
	      "got %lld", got);
	CHECK((got = evtchn_bind_interdomain(et, 0, 1, 99, &p)) == -EINVAL,
	      "got %lld", got);
	CHECK((got = evtchn_bind_interdomain(et, 0, 1, 0, &p)) == -EINVAL,
	      "got %lld", got);
	CHECK((got = evtchn_bind_interdomain(et, 0, 5, p1, &p)) == -EINVAL,
	      "got %lld", got);
	CHECK((got = evtchn_bind_interdomain(et, 0, 1, p1, &p0)) == 0,
	      "got %lld", got);
	CHECK((got = p0) == 1, "got %lld", got);
	CHECK((got = evtchn_bind_interdomain(et, 0, 1, p1, &p)) == -EINVAL,
	      "got %lld", got);

	CHECK((got = evtchn_fds(et, 1, p1, &w1, &n1)) == 0, "got %lld", got);
	CHECK((got = evtchn_fds(et, 0, p0, &w0, &n0)) == 0, "got %lld", got);
	CHECK((got = evtchn_fds(et, 0, 7, &w0, &n0)) == -EINVAL,
	      "got %lld", got);
	CHECK(n0 == w1 && n1 == w0 && w0 != w1);
	CHECK(!readable(w1) && !readable(w0));

	CHECK((got = evtchn_notify(et, 0, p0)) == 0, "got %lld", got);
	CHECK(readable(w1) && !readable(w0));
	CHECK((got = take(w1)) == 1, "got %lld", got);
	CHECK(!readable(w1));
	/* Not read (masked): stays pending across more notifies. */
	CHECK((got = evtchn_notify(et, 0, p0)) == 0, "got %lld", got);
	CHECK((got = evtchn_notify(et, 0, p0)) == 0, "got %lld", got);
	CHECK(readable(w1));
	CHECK(take(w1) >= 1);
	CHECK(!readable(w1));
	CHECK((got = evtchn_notify(et, 1, p1)) == 0, "got %lld", got);
	CHECK(readable(w0));
	take(w0);

	CHECK((got = evtchn_notify(et, 1, p2)) == -ENOTCONN, "got %lld", got);
	CHECK((got = evtchn_notify(et, 1, 42)) == -EINVAL, "got %lld", got);
	CHECK((got = evtchn_close(et, 1, 42)) == -EINVAL, "got %lld", got);

	/* Closing one end leaves the other unbound, its fds still open. */
	CHECK((got = evtchn_close(et, 1, p1)) == 0, "got %lld", got);
	CHECK((got = evtchn_notify(et, 0, p0)) == -ENOTCONN, "got %lld", got);
	CHECK(fcntl(w0, F_GETFD) >= 0 && fcntl(w1, F_GETFD) >= 0);
	CHECK((got = evtchn_alloc_unbound(et, 1, 0, &p)) == 0, "got %lld", got);
	CHECK((got = p) == 1,
	      "got %lld", got);	/* lowest free port again */
	/* dom0's orphaned port is now offered to dom1. */
	CHECK((got = evtchn_bind_interdomain(et, 2, 0, p0, &p)) == -EACCES,
	      "got %lld", got);
	CHECK((got = evtchn_bind_interdomain(et, 1, 0, p0, &p)) == 0,
	      "got %lld", got);
	CHECK((got = p) == 3, "got %lld", got);
	CHECK((got = evtchn_notify(et, 1, p)) == 0, "got %lld", got);
	CHECK(readable(w0));
	CHECK((got = evtchn_close(et, 0, p0)) == 0, "got %lld", got);
	CHECK((got = evtchn_close(et, 1, p)) == 0, "got %lld", got);
	CHECK((got = evtchn_close(et, 0, p0)) == -EINVAL, "got %lld", got);
	evtchn_table_destroy(et);
}

/* dom1 is restored: all its ports close, their numbers are free again and
 * dom0's ends are unbound, offered to dom1 anew. */
static void
test_evtchn_close_domain(void)
{
	struct evtchn_table *et = evtchn_table_create();
	evtchn_port_t p1, p2, p0, p;

	CHECK((got = evtchn_alloc_unbound(et, 1, 0, &p1)) == 0,
	      "got %lld", got);
	CHECK((got = evtchn_alloc_unbound(et, 1, 0, &p2)) == 0,
	      "got %lld", got);
	CHECK((got = evtchn_bind_interdomain(et, 0, 1, p1, &p0)) == 0,
	      "got %lld", got);
	evtchn_close_domain(et, 1);
	evtchn_close_domain(et, 7);	/* no ports: nothing */
	CHECK((got = evtchn_notify(et, 0, p0)) == -ENOTCONN, "got %lld", got);
	CHECK((got = evtchn_close(et, 1, p1)) == -EINVAL, "got %lld", got);
	CHECK((got = evtchn_close(et, 1, p2)) == -EINVAL, "got %lld", got);
	CHECK((got = evtchn_alloc_unbound(et, 1, 0, &p)) == 0, "got %lld", got);
	CHECK((got = p) == p1, "got %lld", got);
	CHECK((got = evtchn_bind_interdomain(et, 1, 0, p0, &p)) == 0,
	      "got %lld", got);
	CHECK((got = evtchn_notify(et, 0, p0)) == 0, "got %lld", got);
	evtchn_table_destroy(et);
}

int
main(void)
{
	test_refusals();
	test_end_while_mapped();
	test_forget();
	test_exhaustion();
	test_race();
	test_evtchn();
	test_evtchn_close_domain();
	if (failures != 0) {
		fprintf(stderr, "%d check(s) failed\n", failures);
		return 1;
	}
	printf("gnttab/evtchn: all checks passed\n");
	return 0;
}
