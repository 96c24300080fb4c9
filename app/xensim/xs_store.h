/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef XENSIM_XS_STORE_H
#define XENSIM_XS_STORE_H

#include <stdbool.h>
#include <xenstore.h>		/* struct xs_permissions */

/*
 * The xenstore tree with Xen's semantics: nodes with values and permission
 * lists (owner first), transactions with conflict detection, watches that
 * fire for the watched node and anything below it. Lives on the loop thread.
 *
 * The wire-protocol server (xs_server.c) and in-process dom0 clients (the
 * toolstack and the netback) share one store; a write by either fires the
 * watches of both.
 */

struct loop;
struct xs_store;
struct xs_iwatch;

struct xs_store *xs_store_create(struct loop *lp);
void xs_store_destroy(struct xs_store *st);

/* Make /local/domain/DOMID exist (owned by the domain) so that relative
 * paths and GET_DOMAIN_PATH work for it. */
int xs_store_introduce(struct xs_store *st, unsigned int domid);

/*
 * In-process clients act as dom0 outside any transaction. Paths are
 * absolute. Return 0 or -errno (ENOENT, EINVAL, ...).
 */
int xs_dom0_write(struct xs_store *st, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* malloc'd NUL-terminated value, or NULL with errno set. */
char *xs_dom0_read(struct xs_store *st, const char *path);
/* Read an unsigned integer; -ENOENT if absent, -EINVAL if not a number. */
int xs_dom0_read_uint(struct xs_store *st, const char *path,
		      unsigned long *val);
int xs_dom0_mkdir(struct xs_store *st, const char *path);
int xs_dom0_rm(struct xs_store *st, const char *path);
int xs_dom0_set_perms(struct xs_store *st, const char *path,
		      const struct xs_permissions *perms, unsigned int n);

/*
 * Watch path (and everything below it) as dom0. fn runs from the loop,
 * never inside a store call: once right after registration (Xen's initial
 * fire) and once per change, with the path that changed.
 */
typedef void xs_watch_fn(void *arg, const char *path);
struct xs_iwatch *xs_dom0_watch(struct xs_store *st, const char *path,
				xs_watch_fn *fn, void *arg);
void xs_dom0_unwatch(struct xs_store *st, struct xs_iwatch *w);

/* Serve the wire protocol on a unix socket, acting as domid. */
int xs_server_listen(struct xs_store *st, const char *sock_path,
		     unsigned int domid);

#endif
