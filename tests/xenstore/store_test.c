/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The xenstore tree in-process: paths, Xen permissions, transactions and
 * watches, through the dom0 API and through clients acting as guests.
 */
#include <errno.h>
#include <string.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

#include "check.h"
#include "loop.h"
#include "xs_store.h"
#include "xs_tree.h"

#define MAX_SEEN 16

int failures;

struct seen {
	unsigned int n;
	char *path[MAX_SEEN];
	char *token[MAX_SEEN];
};

static void
seen_add(struct seen *s, const char *path, const char *token)
{
	REQUIRE(s->n < MAX_SEEN);
	s->path[s->n] = strdup(path);
	s->token[s->n] = token != NULL ? strdup(token) : NULL;
	s->n++;
}

static void
seen_reset(struct seen *s)
{
	while (s->n > 0) {
		s->n--;
		free(s->path[s->n]);
		free(s->token[s->n]);
	}
}

static void
on_iwatch(void *arg, const char *path)
{
	seen_add(arg, path, NULL);
}

static void
on_event(void *arg, const char *path, const char *token)
{
	seen_add(arg, path, token);
}

static void
stop(void *arg)
{
	loop_stop(arg);
}

static void
ignore(void *arg, int fd, unsigned int events)
{
}

/*
 * Run what the store deferred, then return. An always-readable eventfd
 * keeps epoll_wait from blocking once the stop request ran.
 */
static void
pump(struct loop *lp)
{
	static int efd = -1;

	if (efd < 0) {
		efd = eventfd(1, EFD_CLOEXEC);
		REQUIRE(efd >= 0 && loop_add_fd(lp, efd, EPOLLIN, ignore,
					        NULL) == 0);
	}
	CHECK(loop_defer(lp, stop, lp) == 0);
	CHECK(loop_run(lp) == 0);
}

static bool
reads(struct xs_client *cl, uint32_t tx, const char *path, const char *want)
{
	unsigned int len;
	char *val;
	bool ok;

	if (xst_read(cl, tx, path, &val, &len) != 0)
		return false;
	ok = len == strlen(want) && memcmp(val, want, len) == 0;
	free(val);
	return ok;
}

static int
wr(struct xs_client *cl, uint32_t tx, const char *path, const char *val)
{
	return xst_write(cl, tx, path, val, (unsigned int)strlen(val));
}

static void
test_dom0_api(struct xs_store *st)
{
	unsigned long v;
	char *s;

	CHECK(xs_dom0_write(st, "/a/b/c", "%d", 42) == 0);
	s = xs_dom0_read(st, "/a/b/c");
	CHECK(s != NULL && strcmp(s, "42") == 0);
	free(s);
	/* Implicitly created parents are empty. */
	s = xs_dom0_read(st, "/a/b");
	CHECK(s != NULL && s[0] == '\0');
	free(s);
	CHECK(xs_dom0_read_uint(st, "/a/b/c", &v) == 0 && v == 42);
	CHECK(xs_dom0_read_uint(st, "/a/b", &v) == -EINVAL);
	CHECK(xs_dom0_read_uint(st, "/a/nope", &v) == -ENOENT);
	CHECK(xs_dom0_read(st, "/a/nope") == NULL && errno == ENOENT);
	CHECK(xs_dom0_read(st, "rel") == NULL && errno == EINVAL);
	CHECK(xs_dom0_write(st, "/a b", "x") == -EINVAL);
	CHECK(xs_dom0_write(st, "/a//b", "x") == -EINVAL);
	CHECK(xs_dom0_write(st, "/a/", "x") == -EINVAL);
	CHECK(xs_dom0_mkdir(st, "/a/d") == 0);
	CHECK(xs_dom0_mkdir(st, "/a/d") == 0);
	CHECK(xs_dom0_rm(st, "/a") == 0);
	CHECK(xs_dom0_read(st, "/a/b/c") == NULL && errno == ENOENT);
	/* Removing what is gone is fine while its parent exists. */
	CHECK(xs_dom0_rm(st, "/a") == 0);
	CHECK(xs_dom0_rm(st, "/a/x/y") == -ENOENT);
	CHECK(xs_dom0_rm(st, "/") == -EINVAL);
}

static void
test_perms(struct xs_store *st, struct xs_client *g1, struct xs_client *g2)
{
	struct xs_permissions r2[] = {
		{ .id = 1, .perms = XS_PERM_NONE },
		{ .id = 2, .perms = XS_PERM_READ },
	};
	struct xs_permissions to2 = { .id = 2, .perms = XS_PERM_NONE };
	struct xs_permissions *p;
	unsigned int n, len;
	char *names;

	/* A guest's relative paths are in its home, and it owns them. */
	CHECK(wr(g1, 0, "data/x", "1") == 0);
	CHECK(reads(g1, 0, "/local/domain/1/data/x", "1"));
	CHECK(xst_get_perms(g1, 0, "data/x", &p, &n) == 0);
	CHECK(n == 1 && p[0].id == 1 && p[0].perms == XS_PERM_NONE);
	free(p);
	CHECK(xst_read(g2, 0, "/local/domain/1/data/x", &names, &len) ==
	      -EACCES);
	/* Missing nodes under a private one do not leak ENOENT. */
	CHECK(xst_read(g2, 0, "/local/domain/1/nope", &names, &len) ==
	      -EACCES);
	CHECK(xst_read(g1, 0, "nope", &names, &len) == -ENOENT);
	CHECK(wr(g2, 0, "/local/domain/1/data/y", "1") == -EACCES);
	CHECK(xst_directory(g2, 0, "/local/domain", &names, &len) == -EACCES);
	CHECK(xst_set_perms(g1, 0, "data/x", r2, 2) == 0);
	CHECK(reads(g2, 0, "/local/domain/1/data/x", "1"));
	CHECK(wr(g2, 0, "/local/domain/1/data/x", "2") == -EACCES);
	CHECK(xst_set_perms(g2, 0, "/local/domain/1/data/x", r2, 2) ==
	      -EACCES);
	/* Guests cannot give nodes away. */
	CHECK(xst_set_perms(g1, 0, "data/x", &to2, 1) == -EPERM);
	CHECK(xst_set_perms(g1, 0, "data/x", r2, 0) == -EINVAL);
	/* What dom0 creates inherits the parent's permissions. */
	CHECK(xs_dom0_write(st, "/local/domain/1/data/x/k", "v") == 0);
	CHECK(xst_get_perms(g1, 0, "data/x/k", &p, &n) == 0);
	CHECK(n == 2 && p[0].id == 1 && p[1].id == 2 &&
	      p[1].perms == XS_PERM_READ);
	free(p);
	/* What a guest creates under it is the guest's. */
	CHECK(xs_dom0_mkdir(st, "/shared") == 0);
	CHECK(xs_dom0_set_perms(st, "/shared", &(struct xs_permissions){
		.id = 0, .perms = XS_PERM_WRITE }, 1) == 0);
	CHECK(wr(g2, 0, "/shared/n", "v") == 0);
	CHECK(xst_get_perms(g2, 0, "/shared/n", &p, &n) == 0);
	CHECK(n == 1 && p[0].id == 2 && p[0].perms == XS_PERM_WRITE);
	free(p);
	CHECK(xst_directory(g1, 0, "data", &names, &len) == 0);
	CHECK(len == 2 && memcmp(names, "x", 2) == 0);
	free(names);
}

static void
test_transactions(struct xs_store *st, struct xs_client *g1,
		  struct xs_client *g2)
{
	unsigned int len;
	uint32_t t, t2;
	char *v;

	CHECK(wr(g1, 0, "data/c", "1") == 0);
	/* A concurrent change of what the transaction read: EAGAIN. */
	CHECK(xst_tx_start(g1, &t) == 0 && t != 0);
	CHECK(reads(g1, t, "data/c", "1"));
	CHECK(xs_dom0_write(st, "/local/domain/1/data/c", "2") == 0);
	CHECK(wr(g1, t, "data/d", "x") == 0);
	CHECK(reads(g1, t, "data/c", "1"));
	CHECK(xst_tx_end(g1, t, true) == -EAGAIN);
	CHECK(xst_read(g1, 0, "data/d", &v, &len) == -ENOENT);
	CHECK(xst_tx_end(g1, t, true) == -ENOENT);

	/* Unrelated concurrent changes do not conflict. */
	CHECK(xst_tx_start(g1, &t) == 0);
	CHECK(reads(g1, t, "data/c", "2"));
	CHECK(wr(g1, t, "data/d/e", "x") == 0);
	CHECK(xst_rm(g1, t, "data/x") == 0);
	CHECK(wr(g2, 0, "data/z", "z") == 0);
	/* Isolation both ways. */
	CHECK(xst_read(g1, 0, "data/d/e", &v, &len) == -ENOENT);
	CHECK(reads(g1, 0, "data/x", "1"));
	CHECK(xst_tx_end(g1, t, true) == 0);
	CHECK(reads(g1, 0, "data/d/e", "x"));
	CHECK(xst_read(g1, 0, "data/x/k", &v, &len) == -ENOENT);

	/* Two transactions adding children to one node: the second loses. */
	CHECK(xst_tx_start(g1, &t) == 0 && xst_tx_start(g1, &t2) == 0);
	CHECK(wr(g1, t, "data/d/f", "1") == 0);
	CHECK(wr(g1, t2, "data/d/g", "1") == 0);
	CHECK(xst_tx_end(g1, t, true) == 0);
	CHECK(xst_tx_end(g1, t2, true) == -EAGAIN);

	/* Abort drops the changes; unknown ids are ENOENT. */
	CHECK(xst_tx_start(g1, &t) == 0);
	CHECK(wr(g1, t, "data/aborted", "1") == 0);
	CHECK(xst_tx_end(g1, t, false) == 0);
	CHECK(xst_read(g1, 0, "data/aborted", &v, &len) == -ENOENT);
	CHECK(wr(g1, 12345, "data/c", "1") == -ENOENT);
	/* Transactions left open go with their client (checked by ASan). */
	CHECK(xst_tx_start(g2, &t) == 0);
	CHECK(wr(g2, t, "data/open", "1") == 0);
}

static void
test_watches(struct xs_store *st, struct loop *lp, struct xs_client *g1,
	     struct xs_client *g2, struct seen *ev)
{
	struct xs_iwatch *w, *w2;
	struct seen in = { 0 };

	seen_reset(ev);
	w = xs_dom0_watch(st, "/local/domain/1/data", on_iwatch, &in);
	REQUIRE(w != NULL);
	CHECK(xs_dom0_write(st, "/local/domain/1/data/n", "1") == 0);
	/* Never inside the store call. */
	CHECK(in.n == 0);
	pump(lp);
	CHECK(in.n == 2);
	CHECK(strcmp(in.path[0], "/local/domain/1/data") == 0);
	CHECK(strcmp(in.path[1], "/local/domain/1/data/n") == 0);
	seen_reset(&in);
	CHECK(xs_dom0_write(st, "/local/domain/1/other", "1") == 0);
	pump(lp);
	CHECK(in.n == 0);

	/* Guest watches: relative paths stay relative; private nodes
	 * are not reported to others. */
	CHECK(xst_watch(g1, "data", "t1") == 0);
	CHECK(xst_watch(g1, "data", "t1") == -EEXIST);
	CHECK(xst_watch(g2, "/local/domain/1/data", "t2") == 0);
	CHECK(wr(g1, 0, "data/p", "1") == 0);
	CHECK(ev->n == 1 && strcmp(ev->path[0], "data/p") == 0 &&
	      strcmp(ev->token[0], "t1") == 0);
	seen_reset(ev);

	/* Removing a parent fires watches on its children too. */
	CHECK(xst_watch(g1, "data/d/e", "deep") == 0);
	CHECK(xst_rm(g1, 0, "data/d") == 0);
	CHECK(ev->n == 2);
	CHECK(strcmp(ev->path[0], "data/d/e") == 0 &&
	      strcmp(ev->token[0], "deep") == 0);
	CHECK(strcmp(ev->path[1], "data/d") == 0 &&
	      strcmp(ev->token[1], "t1") == 0);
	seen_reset(ev);
	CHECK(xst_unwatch(g1, "data/d/e", "deep") == 0);
	CHECK(xst_unwatch(g1, "data/d/e", "deep") == -ENOENT);

	/* A commit fires for what it changed, not before. */
	{
		uint32_t t;

		CHECK(xst_tx_start(g1, &t) == 0);
		CHECK(wr(g1, t, "data/q", "1") == 0);
		CHECK(ev->n == 0);
		CHECK(xst_tx_end(g1, t, true) == 0);
		CHECK(ev->n == 1 && strcmp(ev->path[0], "data/q") == 0);
		seen_reset(ev);
	}

	/* An unwatch with an event queued: no call after it. */
	pump(lp);
	seen_reset(&in);
	CHECK(xs_dom0_write(st, "/local/domain/1/data/n", "2") == 0);
	xs_dom0_unwatch(st, w);
	pump(lp);
	CHECK(in.n == 0);

	/* @introduceDomain, and a watch dropped before its first call. */
	w = xs_dom0_watch(st, "@introduceDomain", on_iwatch, &in);
	w2 = xs_dom0_watch(st, "/", on_iwatch, &in);
	REQUIRE(w != NULL && w2 != NULL);
	xs_dom0_unwatch(st, w2);
	CHECK(xs_store_introduce(st, 7) == 0);
	pump(lp);
	CHECK(in.n == 2);
	CHECK(strcmp(in.path[0], "@introduceDomain") == 0);
	CHECK(strcmp(in.path[1], "@introduceDomain") == 0);
	CHECK(xst_introduced(st, 7) && !xst_introduced(st, 8));
	CHECK(xs_dom0_watch(st, "@bogus", on_iwatch, &in) == NULL &&
	      errno == EINVAL);
	CHECK(xs_dom0_watch(st, "rel", on_iwatch, &in) == NULL &&
	      errno == EINVAL);
	xs_dom0_unwatch(st, w);
	seen_reset(&in);
	seen_reset(ev);
}

int
main(void)
{
	struct loop *lp = loop_create();
	struct xs_store *st;
	struct xs_client *g1, *g2;
	struct seen ev = { 0 };

	REQUIRE(lp != NULL);
	st = xs_store_create(lp);
	REQUIRE(st != NULL);
	REQUIRE(xs_store_introduce(st, 1) == 0 &&
		xs_store_introduce(st, 2) == 0);
	CHECK(xs_store_introduce(st, 0x7ff0) == -EINVAL);
	g1 = xst_client_create(st, 1, on_event, &ev);
	g2 = xst_client_create(st, 2, on_event, &ev);
	REQUIRE(g1 != NULL && g2 != NULL);

	test_dom0_api(st);
	test_perms(st, g1, g2);
	test_transactions(st, g1, g2);
	test_watches(st, lp, g1, g2, &ev);

	xst_client_destroy(g1);
	xst_client_destroy(g2);
	xs_store_destroy(st);
	loop_destroy(lp);
	if (failures != 0) {
		fprintf(stderr, "store_test: %d check(s) failed\n", failures);
		return 1;
	}
	printf("store_test: ok\n");
	return 0;
}
