/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef XENSIM_XS_TREE_H
#define XENSIM_XS_TREE_H

#include <stdbool.h>
#include <stdint.h>

#include "xs_store.h"

/*
 * Store internals shared by xs_store.c and the wire server (xs_server.c).
 * A client is one view of the store acting as a domain: a wire connection
 * or dom0's in-process API. It owns its watches and transactions.
 *
 * Operations take a transaction id (0: none), a path as the client sent it
 * (relative ones are under /local/domain/<domid>) and return 0 or -errno.
 */

struct loop;
struct xs_client;
struct xs_server;

/* Deliver a watch event of a wire client: path as the client sees it. */
typedef void xs_event_fn(void *arg, const char *path, const char *token);

struct xs_client *xst_client_create(struct xs_store *st, unsigned int domid,
				    xs_event_fn *fn, void *arg);
/* Drops the client's watches and transactions. */
void xst_client_destroy(struct xs_client *cl);

/* Values and directory listings are malloc'd; the caller frees them. */
int xst_read(struct xs_client *cl, uint32_t tx, const char *path,
	     char **val, unsigned int *len);
int xst_write(struct xs_client *cl, uint32_t tx, const char *path,
	      const char *val, unsigned int len);
int xst_mkdir(struct xs_client *cl, uint32_t tx, const char *path);
int xst_rm(struct xs_client *cl, uint32_t tx, const char *path);
/* Child names, each NUL-terminated, back to back. */
int xst_directory(struct xs_client *cl, uint32_t tx, const char *path,
		  char **names, unsigned int *len);
int xst_get_perms(struct xs_client *cl, uint32_t tx, const char *path,
		  struct xs_permissions **perms, unsigned int *n);
int xst_set_perms(struct xs_client *cl, uint32_t tx, const char *path,
		  const struct xs_permissions *perms, unsigned int n);

/* Register a wire watch; the caller sends the initial event itself. */
int xst_watch(struct xs_client *cl, const char *path, const char *token);
int xst_unwatch(struct xs_client *cl, const char *path, const char *token);
void xst_reset(struct xs_client *cl);

int xst_tx_start(struct xs_client *cl, uint32_t *id);
/* -EAGAIN when another client changed what the transaction used. */
int xst_tx_end(struct xs_client *cl, uint32_t id, bool commit);

bool xst_introduced(struct xs_store *st, unsigned int domid);
struct loop *xst_loop(struct xs_store *st);

/*
 * Soon run, from the loop, the store's deferred work: in-process watch
 * callbacks, then xs_server_reap(). Safe to have pending at destroy.
 */
void xst_schedule(struct xs_store *st);

/* The store's wire server, created by the first xs_server_listen(). */
struct xs_server **xst_server(struct xs_store *st);
/* Free the connections that went away. */
void xs_server_reap(struct xs_server *srv);
void xs_server_destroy(struct xs_server *srv);

#endif
