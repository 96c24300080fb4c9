/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A flat key/value table behind libxenstore's client API. A transaction
 * works on a copy of the table that a commit puts in its place, as
 * xenstored's do; removing a node removes its children. Every string the
 * driver gets is malloc'd as libxenstore's are, so LeakSanitizer sees a
 * string it does not free.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <xenstore.h>

#include "xenplat.h"
#include "fake_xenstore.h"

#define FXS_VALS	8	/* values a path answers in turn */
#define FXS_TXS		4	/* transactions open at once */
#define FXS_WATCHES	8
#define FXS_MAGIC	0x78736668u

struct xs_handle {
	uint32_t magic;
};

struct fxs_ent {
	char *path;
	char *val[FXS_VALS];
	size_t len[FXS_VALS];
	unsigned int nval;
	unsigned int cur;
	bool read;		/* val[last] is what the last read returned */
	unsigned int last;
};

struct fxs_store {
	struct fxs_ent *ent;
	unsigned int n;
	unsigned int cap;
};

struct fxs_tx {
	xs_transaction_t id;		/* XBT_NULL: slot free */
	struct fxs_store st;
};

struct fxs_watch {
	char *path;
	char *token;
};

static struct {
	struct fxs_store st;
	struct fxs_tx tx[FXS_TXS];
	struct fxs_watch watch[FXS_WATCHES];
	xs_transaction_t next_tx;
	unsigned int fail_op;
	bool fail_open;
	unsigned int conflicts;
	unsigned int events;
	struct fxs_account acct;
	int devnull;
} fxs = { .devnull = -1 };

static void
ent_free(struct fxs_ent *e)
{
	unsigned int i;

	for (i = 0; i < e->nval; i++)
		free(e->val[i]);
	free(e->path);
}

static void
store_free(struct fxs_store *st)
{
	unsigned int i;

	for (i = 0; i < st->n; i++)
		ent_free(&st->ent[i]);
	free(st->ent);
	memset(st, 0, sizeof(*st));
}

static char *
dup_mem(const void *p, size_t len)
{
	char *s = malloc(len + 1);

	if (s == NULL)
		abort();
	memcpy(s, p, len);
	s[len] = '\0';
	return s;
}

static struct fxs_ent *
store_find(struct fxs_store *st, const char *path)
{
	unsigned int i;

	for (i = 0; i < st->n; i++)
		if (strcmp(st->ent[i].path, path) == 0)
			return &st->ent[i];
	return NULL;
}

static struct fxs_ent *
store_new(struct fxs_store *st, const char *path)
{
	struct fxs_ent *e;

	if (st->n == st->cap) {
		st->cap = st->cap ? 2 * st->cap : 32;
		st->ent = realloc(st->ent, st->cap * sizeof(*st->ent));
		if (st->ent == NULL)
			abort();
	}
	e = &st->ent[st->n++];
	memset(e, 0, sizeof(*e));
	e->path = dup_mem(path, strlen(path));
	return e;
}

/* Append a value (input) or replace them all (a write). */
static void
store_put(struct fxs_store *st, const char *path, const void *val,
	  size_t len, bool append)
{
	struct fxs_ent *e = store_find(st, path);
	unsigned int i;

	if (e == NULL)
		e = store_new(st, path);
	if (!append) {
		for (i = 0; i < e->nval; i++)
			free(e->val[i]);
		e->nval = 0;
		e->cur = 0;
		e->read = false;
	}
	if (e->nval == FXS_VALS)
		return;
	e->val[e->nval] = dup_mem(val, len);
	e->len[e->nval++] = len;
}

/* Remove path and everything below it; false if there was nothing. */
static bool
store_rm(struct fxs_store *st, const char *path)
{
	size_t plen = strlen(path);
	unsigned int i = 0;
	bool found = false;

	while (i < st->n) {
		const char *p = st->ent[i].path;

		if (strncmp(p, path, plen) == 0 &&
		    (p[plen] == '\0' || p[plen] == '/')) {
			ent_free(&st->ent[i]);
			st->ent[i] = st->ent[--st->n];
			found = true;
		} else {
			i++;
		}
	}
	return found;
}

static void
store_copy(struct fxs_store *dst, const struct fxs_store *src)
{
	unsigned int i, v;

	memset(dst, 0, sizeof(*dst));
	for (i = 0; i < src->n; i++) {
		const struct fxs_ent *s = &src->ent[i];
		struct fxs_ent *d = store_new(dst, s->path);

		for (v = 0; v < s->nval; v++) {
			d->val[v] = dup_mem(s->val[v], s->len[v]);
			d->len[v] = s->len[v];
		}
		d->nval = s->nval;
		d->cur = s->cur;
		d->read = s->read;
		d->last = s->last;
	}
}

void
fxs_reset(void)
{
	unsigned int i;

	store_free(&fxs.st);
	for (i = 0; i < FXS_TXS; i++) {
		store_free(&fxs.tx[i].st);
		fxs.tx[i].id = XBT_NULL;
	}
	for (i = 0; i < FXS_WATCHES; i++) {
		free(fxs.watch[i].path);
		free(fxs.watch[i].token);
		fxs.watch[i].path = NULL;
		fxs.watch[i].token = NULL;
	}
	fxs.next_tx = 1;
	fxs.fail_op = 0;
	fxs.fail_open = false;
	fxs.conflicts = 0;
	fxs.events = 0;
	memset(&fxs.acct, 0, sizeof(fxs.acct));
}

void
fxs_add(const char *path, const void *val, size_t len)
{
	store_put(&fxs.st, path, val, len, true);
}

const char *
fxs_get(const char *path)
{
	struct fxs_ent *e = store_find(&fxs.st, path);

	return e == NULL || e->nval == 0 ? NULL : e->val[e->cur];
}

const char *
fxs_last_read(const char *path)
{
	struct fxs_ent *e = store_find(&fxs.st, path);

	return e == NULL || !e->read ? NULL : e->val[e->last];
}

void
fxs_fail_op(unsigned int nth)
{
	fxs.fail_op = nth;
}

void
fxs_fail_open(void)
{
	fxs.fail_open = true;
}

void
fxs_conflicts(unsigned int n)
{
	fxs.conflicts = n;
}

void
fxs_watch_events(unsigned int n)
{
	fxs.events = n;
}

const struct fxs_account *
fxs_account(void)
{
	return &fxs.acct;
}

/* A handle the driver opened and has not closed (ASan: use after close). */
static void
check_handle(const struct xs_handle *h)
{
	if (h == NULL || h->magic != FXS_MAGIC)
		fxs.acct.misuse++;
}

/* The injected failure, counted over the operations that can fail. */
static bool
op_fails(void)
{
	if (fxs.fail_op == 0 || --fxs.fail_op != 0)
		return false;
	fxs.acct.faults++;
	errno = EIO;
	return true;
}

/* The table transaction t works on, or NULL (misuse). */
static struct fxs_store *
store_of(xs_transaction_t t)
{
	unsigned int i;

	if (t == XBT_NULL)
		return &fxs.st;
	for (i = 0; i < FXS_TXS; i++)
		if (fxs.tx[i].id == t)
			return &fxs.tx[i].st;
	fxs.acct.misuse++;
	errno = EINVAL;
	return NULL;
}

struct xs_handle *
xenplat_xs_open(struct xenplat *xp)
{
	struct xs_handle *h;

	if (fxs.fail_open) {
		errno = ECONNREFUSED;
		return NULL;
	}
	h = malloc(sizeof(*h));
	if (h == NULL)
		abort();
	h->magic = FXS_MAGIC;
	fxs.acct.handles++;
	return h;
}

void
xs_close(struct xs_handle *h)
{
	if (h == NULL)
		return;
	check_handle(h);
	h->magic = 0;
	free(h);
	fxs.acct.handles--;
}

void *
xs_read(struct xs_handle *h, xs_transaction_t t, const char *path,
	unsigned int *len)
{
	struct fxs_store *st;
	struct fxs_ent *e;
	char *v;

	check_handle(h);
	st = store_of(t);
	if (st == NULL || op_fails())
		return NULL;
	e = store_find(st, path);
	if (e == NULL || e->nval == 0) {
		errno = ENOENT;
		return NULL;
	}
	v = dup_mem(e->val[e->cur], e->len[e->cur]);
	if (len != NULL)
		*len = e->len[e->cur];
	e->read = true;
	e->last = e->cur;
	if (e->cur + 1 < e->nval)
		e->cur++;
	return v;
}

bool
xs_write(struct xs_handle *h, xs_transaction_t t, const char *path,
	 const void *data, unsigned int len)
{
	struct fxs_store *st;

	check_handle(h);
	st = store_of(t);
	if (st == NULL || op_fails())
		return false;
	store_put(st, path, data, len, false);
	return true;
}

bool
xs_rm(struct xs_handle *h, xs_transaction_t t, const char *path)
{
	struct fxs_store *st;

	check_handle(h);
	st = store_of(t);
	if (st == NULL || op_fails())
		return false;
	if (!store_rm(st, path)) {
		errno = ENOENT;
		return false;
	}
	return true;
}

xs_transaction_t
xs_transaction_start(struct xs_handle *h)
{
	unsigned int i;

	check_handle(h);
	if (op_fails())
		return XBT_NULL;
	for (i = 0; i < FXS_TXS; i++)
		if (fxs.tx[i].id == XBT_NULL)
			break;
	if (i == FXS_TXS) {
		fxs.acct.misuse++;
		errno = EBUSY;
		return XBT_NULL;
	}
	fxs.tx[i].id = fxs.next_tx++;
	store_copy(&fxs.tx[i].st, &fxs.st);
	fxs.acct.transactions++;
	return fxs.tx[i].id;
}

/* Ends t whatever the outcome, as xenstored does. */
bool
xs_transaction_end(struct xs_handle *h, xs_transaction_t t, bool abort)
{
	struct fxs_tx *tx = NULL;
	unsigned int i;
	bool ok;

	check_handle(h);
	for (i = 0; i < FXS_TXS; i++)
		if (t != XBT_NULL && fxs.tx[i].id == t)
			tx = &fxs.tx[i];
	if (tx == NULL) {
		fxs.acct.misuse++;
		errno = EINVAL;
		return false;
	}
	ok = !op_fails();
	if (ok && !abort && fxs.conflicts > 0) {
		fxs.conflicts--;
		errno = EAGAIN;
		ok = false;
	}
	if (ok && !abort) {
		store_free(&fxs.st);
		fxs.st = tx->st;
		memset(&tx->st, 0, sizeof(tx->st));
	}
	store_free(&tx->st);
	tx->id = XBT_NULL;
	fxs.acct.transactions--;
	return ok;
}

bool
xs_watch(struct xs_handle *h, const char *path, const char *token)
{
	unsigned int i;

	check_handle(h);
	if (op_fails())
		return false;
	for (i = 0; i < FXS_WATCHES; i++)
		if (fxs.watch[i].path == NULL)
			break;
	if (i == FXS_WATCHES) {
		errno = ENOSPC;
		return false;
	}
	fxs.watch[i].path = dup_mem(path, strlen(path));
	fxs.watch[i].token = dup_mem(token, strlen(token));
	fxs.acct.watches++;
	return true;
}

/* Never fails injected: the driver closes the handle right after. */
bool
xs_unwatch(struct xs_handle *h, const char *path, const char *token)
{
	unsigned int i;

	check_handle(h);
	for (i = 0; i < FXS_WATCHES; i++) {
		struct fxs_watch *w = &fxs.watch[i];

		if (w->path != NULL && strcmp(w->path, path) == 0 &&
		    strcmp(w->token, token) == 0) {
			free(w->path);
			free(w->token);
			w->path = NULL;
			w->token = NULL;
			fxs.acct.watches--;
			return true;
		}
	}
	fxs.acct.misuse++;
	errno = ENOENT;
	return false;
}

/* Always readable, so that a wait for the backend never sleeps. */
int
xs_fileno(struct xs_handle *h)
{
	check_handle(h);
	if (fxs.devnull < 0)
		fxs.devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	return fxs.devnull;
}

/* One allocation holding the vector and its strings, as libxenstore's. */
char **
xs_check_watch(struct xs_handle *h)
{
	const char *path = fxs.watch[0].path ? fxs.watch[0].path : "";
	const char *token = fxs.watch[0].token ? fxs.watch[0].token : "";
	size_t plen = strlen(path) + 1, tlen = strlen(token) + 1;
	char **ev;

	check_handle(h);
	if (fxs.events == 0) {
		errno = EAGAIN;
		return NULL;
	}
	fxs.events--;
	ev = malloc(2 * sizeof(char *) + plen + tlen);
	if (ev == NULL)
		abort();
	ev[XS_WATCH_PATH] = (char *)(ev + 2);
	ev[XS_WATCH_TOKEN] = ev[XS_WATCH_PATH] + plen;
	memcpy(ev[XS_WATCH_PATH], path, plen);
	memcpy(ev[XS_WATCH_TOKEN], token, tlen);
	return ev;
}
