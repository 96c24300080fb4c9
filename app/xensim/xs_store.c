/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xensim's xenstore tree with Xen's semantics: permission lists (owner
 * first), implicit creation of missing parents, transactions working on a
 * private copy of the tree and committed only if nothing they used changed
 * meanwhile (generation counters), and watches on a node and its subtree.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <xen/xen.h>
#include <xen/io/xs_wire.h>

#include "loop.h"
#include "xs_tree.h"

#define DOM_PATH	"/local/domain/"
#define MAX_WATCHES	128	/* per client, like xenstored's quotas */
#define MAX_TXS		16
#define ALL_PERMS	(XS_PERM_READ | XS_PERM_WRITE | XS_PERM_OWNER)

struct node {
	struct node *parent;
	struct node *child;		/* children in creation order */
	struct node *next;
	char *val;			/* always NUL-terminated after len */
	unsigned int len;
	unsigned int nperms;
	struct xs_permissions *perms;
	uint64_t gen;			/* store generation, last change */
	char name[];
};

/* What a transaction used: the node's generation when first seen. */
struct access {
	char *path;
	uint64_t gen;			/* 0: the node did not exist */
	bool changed;
};

struct tx {
	struct tx *next;
	uint32_t id;
	struct node *root;		/* the transaction's own copy */
	struct access *log;
	unsigned int nlog;
	unsigned int cap;
};

/* A watch: a wire client's (token) or an in-process one (fn). */
struct xs_iwatch {
	struct xs_iwatch *next;
	struct xs_client *cl;
	char *path;			/* as registered */
	char *abs;			/* absolute, or an "@..." name */
	char *token;
	xs_watch_fn *fn;
	void *arg;
	unsigned int pending;		/* queued events still naming it */
	bool gone;
};

struct event {
	struct event *next;
	struct xs_iwatch *w;
	char path[];
};

struct xs_client {
	struct xs_store *st;
	unsigned int domid;
	xs_event_fn *fn;
	void *arg;
	struct tx *txs;
	unsigned int ntxs;
	unsigned int nwatches;
};

struct xs_store {
	struct loop *lp;
	struct node *root;
	uint64_t gen;
	uint32_t last_tx;
	struct xs_client *dom0;		/* the in-process API */
	struct xs_iwatch *watches;
	struct event *evq, **evq_tail;
	struct later *later;		/* deferred work is scheduled */
	struct xs_server *server;
	uint64_t introduced[(DOMID_FIRST_RESERVED + 63) / 64];
};

/*
 * The store's pending loop_defer. It outlives the store: destroying the
 * store disarms it, and the loop may still run it afterwards.
 */
struct later {
	struct xs_store *st;
};

/* One operation: who, on which tree, on which canonical path. */
struct op {
	struct xs_store *st;
	struct xs_client *cl;
	struct tx *tx;			/* NULL: the live tree */
	struct node **rootp;
	char *abs;
};

static struct node *
node_new(const char *name, size_t len, const struct xs_permissions *perms,
	 unsigned int nperms)
{
	struct node *n = calloc(1, sizeof(*n) + len + 1);

	if (n == NULL)
		return NULL;
	memcpy(n->name, name, len);
	n->perms = malloc(nperms * sizeof(*perms));
	if (n->perms == NULL) {
		free(n);
		return NULL;
	}
	memcpy(n->perms, perms, nperms * sizeof(*perms));
	n->nperms = nperms;
	return n;
}

static void
node_free(struct node *n)
{
	while (n->child != NULL) {
		struct node *c = n->child;

		n->child = c->next;
		node_free(c);
	}
	free(n->val);
	free(n->perms);
	free(n);
}

static int
node_set_value(struct node *n, const char *val, unsigned int len)
{
	char *v = malloc(len + 1);

	if (v == NULL)
		return -ENOMEM;
	memcpy(v, val, len);
	v[len] = '\0';
	free(n->val);
	n->val = v;
	n->len = len;
	return 0;
}

static int
node_set_perms(struct node *n, const struct xs_permissions *perms,
	       unsigned int nperms)
{
	struct xs_permissions *p = malloc(nperms * sizeof(*p));

	if (p == NULL)
		return -ENOMEM;
	memcpy(p, perms, nperms * sizeof(*p));
	free(n->perms);
	n->perms = p;
	n->nperms = nperms;
	return 0;
}

static struct node *
node_clone(const struct node *src, struct node *parent)
{
	struct node *n = node_new(src->name, strlen(src->name), src->perms,
				  src->nperms);
	struct node **tail;
	const struct node *c;

	if (n == NULL)
		return NULL;
	n->parent = parent;
	n->gen = src->gen;
	if (src->val != NULL && node_set_value(n, src->val, src->len) != 0)
		goto fail;
	tail = &n->child;
	for (c = src->child; c != NULL; c = c->next) {
		*tail = node_clone(c, n);
		if (*tail == NULL)
			goto fail;
		tail = &(*tail)->next;
	}
	return n;
fail:
	node_free(n);
	return NULL;
}

static void
node_add(struct node *parent, struct node *c)
{
	struct node **pp = &parent->child;

	while (*pp != NULL)
		pp = &(*pp)->next;
	*pp = c;
	c->parent = parent;
}

static void
node_unlink(struct node *n)
{
	struct node **pp = &n->parent->child;

	while (*pp != n)
		pp = &(*pp)->next;
	*pp = n->next;
}

/*
 * The deepest existing node on the way to abs; *rest is what remains of
 * abs below it ("" when abs itself exists).
 */
static struct node *
walk(struct node *root, const char *abs, const char **rest)
{
	const char *p = abs + 1;
	struct node *n = root;

	while (*p != '\0') {
		size_t len = strcspn(p, "/");
		struct node *c;

		for (c = n->child; c != NULL; c = c->next)
			if (strncmp(c->name, p, len) == 0 &&
			    c->name[len] == '\0')
				break;
		if (c == NULL)
			break;
		n = c;
		p += len;
		if (*p == '/')
			p++;
	}
	*rest = p;
	return n;
}

static struct node *
lookup(struct node *root, const char *abs)
{
	const char *rest;
	struct node *n = walk(root, abs, &rest);

	return *rest == '\0' ? n : NULL;
}

static unsigned int
perm_of(unsigned int domid, const struct xs_permissions *p, unsigned int n)
{
	unsigned int i;

	if (domid == 0 || p[0].id == domid)
		return ALL_PERMS;
	for (i = 1; i < n; i++)
		if (p[i].id == domid)
			return p[i].perms;
	return p[0].perms;
}

/* Path as a client sent it -> malloc'd absolute path, if well formed. */
static int
canonical(const struct xs_client *cl, const char *path, char **abs)
{
	size_t len = strlen(path);
	const char *p;

	if (len == 0 || len > (path[0] == '/' ? XENSTORE_ABS_PATH_MAX :
			       XENSTORE_REL_PATH_MAX))
		return -EINVAL;
	for (p = path; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && strchr("-/_@", *p) == NULL)
			return -EINVAL;
	if (strstr(path, "//") != NULL || (len > 1 && path[len - 1] == '/'))
		return -EINVAL;
	if (path[0] == '/')
		*abs = strdup(path);
	else if (asprintf(abs, DOM_PATH "%u/%s", cl->domid, path) < 0)
		*abs = NULL;
	return *abs != NULL ? 0 : -ENOMEM;
}

static void
touch(struct xs_store *st, struct node *n)
{
	n->gen = ++st->gen;
}

/* Remember what a transaction saw of path before it uses or changes it. */
static int
note(struct op *op, const char *path, size_t len, const struct node *n,
     bool changed)
{
	struct tx *tx = op->tx;
	struct access *a;
	unsigned int i;

	if (tx == NULL)
		return 0;
	for (i = 0; i < tx->nlog; i++) {
		a = &tx->log[i];
		if (strncmp(a->path, path, len) == 0 && a->path[len] == '\0') {
			a->changed |= changed;
			return 0;
		}
	}
	if (tx->nlog == tx->cap) {
		unsigned int cap = tx->cap ? 2 * tx->cap : 16;

		a = realloc(tx->log, cap * sizeof(*a));
		if (a == NULL)
			return -ENOMEM;
		tx->log = a;
		tx->cap = cap;
	}
	a = &tx->log[tx->nlog];
	a->path = strndup(path, len);
	if (a->path == NULL)
		return -ENOMEM;
	a->gen = n != NULL ? n->gen : 0;
	a->changed = changed;
	tx->nlog++;
	return 0;
}

static void
watch_free(struct xs_iwatch *w)
{
	free(w->path);
	free(w->abs);
	free(w->token);
	free(w);
}

static void
watch_drop(struct xs_store *st, struct xs_iwatch *w)
{
	struct xs_iwatch **pw = &st->watches;

	while (*pw != w)
		pw = &(*pw)->next;
	*pw = w->next;
	w->cl->nwatches--;
	w->gone = true;
	/* Queued events still point at it; the last one frees it. */
	if (w->pending == 0)
		watch_free(w);
}

static void
flush_events(struct xs_store *st)
{
	struct event *ev = st->evq;

	/* Events the callbacks cause go to the next round. */
	st->evq = NULL;
	st->evq_tail = &st->evq;
	while (ev != NULL) {
		struct event *next = ev->next;
		struct xs_iwatch *w = ev->w;

		if (!w->gone)
			w->fn(w->arg, ev->path);
		if (--w->pending == 0 && w->gone)
			watch_free(w);
		free(ev);
		ev = next;
	}
}

static void
run_later(void *arg)
{
	struct later *l = arg;
	struct xs_store *st = l->st;

	free(l);
	if (st == NULL)
		return;
	st->later = NULL;
	flush_events(st);
	if (st->server != NULL)
		xs_server_reap(st->server);
}

void
xst_schedule(struct xs_store *st)
{
	struct later *l;

	if (st->later != NULL)
		return;
	l = malloc(sizeof(*l));
	if (l == NULL || loop_defer(st->lp, run_later, l) != 0) {
		fprintf(stderr, "xensim: xenstore: out of memory, deferred "
			"work delayed\n");
		free(l);
		return;
	}
	l->st = st;
	st->later = l;
}

/* In-process callbacks run from the loop, never inside a store call. */
static void
enqueue(struct xs_store *st, struct xs_iwatch *w, const char *path)
{
	size_t len = strlen(path) + 1;
	struct event *ev = malloc(sizeof(*ev) + len);

	if (ev == NULL) {
		fprintf(stderr, "xensim: xenstore: out of memory, watch event "
			"for %s lost\n", path);
		return;
	}
	ev->next = NULL;
	ev->w = w;
	memcpy(ev->path, path, len);
	*st->evq_tail = ev;
	st->evq_tail = &ev->next;
	w->pending++;
	xst_schedule(st);
}

static bool
watch_matches(const char *watch, const char *path, bool exact)
{
	size_t len = strlen(watch);

	if (exact || watch[0] == '@' || path[0] == '@')
		return strcmp(watch, path) == 0;
	if (strcmp(watch, "/") == 0)
		return true;
	return strncmp(path, watch, len) == 0 &&
	       (path[len] == '\0' || path[len] == '/');
}

/*
 * Tell the watchers of path (of its ancestors too unless exact) that may
 * read the node (perms NULL: anyone). Relative watches get relative paths.
 */
static void
fire(struct xs_store *st, const char *path, bool exact,
     const struct xs_permissions *perms, unsigned int nperms)
{
	struct xs_iwatch *w;

	for (w = st->watches; w != NULL; w = w->next) {
		const char *p = path;
		char home[32];
		int len;

		if (!watch_matches(w->abs, path, exact))
			continue;
		if (perms != NULL &&
		    !(perm_of(w->cl->domid, perms, nperms) & XS_PERM_READ))
			continue;
		if (w->path[0] != '/' && w->path[0] != '@') {
			len = snprintf(home, sizeof(home), DOM_PATH "%u/",
				       w->cl->domid);
			if (strncmp(path, home, len) == 0)
				p += len;
		}
		if (w->fn != NULL)
			enqueue(st, w, p);
		else
			w->cl->fn(w->cl->arg, p, w->token);
	}
}

static void
changed(struct op *op, struct node *n)
{
	touch(op->st, n);
	if (op->tx == NULL)
		fire(op->st, op->abs, false, n->perms, n->nperms);
}

static int
op_begin(struct xs_client *cl, uint32_t txid, const char *path,
	 struct op *op)
{
	*op = (struct op){ .st = cl->st, .cl = cl, .rootp = &cl->st->root };
	if (txid != 0) {
		for (op->tx = cl->txs; op->tx != NULL; op->tx = op->tx->next)
			if (op->tx->id == txid)
				break;
		if (op->tx == NULL)
			return -ENOENT;
		op->rootp = &op->tx->root;
	}
	return canonical(cl, path, &op->abs);
}

/*
 * Find op's node for an access needing perm. A missing node is ENOENT,
 * or EACCES if its nearest existing ancestor denies perm; *np is then
 * that ancestor and *rest the missing part.
 */
static int
get(struct op *op, unsigned int perm, struct node **np, const char **rest)
{
	struct node *n = walk(*op->rootp, op->abs, rest);
	int rc = note(op, op->abs, strlen(op->abs), **rest ? NULL : n, false);

	if (rc != 0)
		return rc;
	*np = n;
	if (!(perm_of(op->cl->domid, n->perms, n->nperms) & perm))
		return -EACCES;
	return **rest != '\0' ? -ENOENT : 0;
}

/* Create the missing part of op's path below n, parents inheriting. */
static int
create(struct op *op, struct node *n, const char *rest, struct node **np)
{
	unsigned int domid = op->cl->domid;
	int rc;

	while (*rest != '\0') {
		size_t len = strcspn(rest, "/");
		size_t at = (size_t)(rest - op->abs);
		struct node *c;

		rc = note(op, op->abs, at > 1 ? at - 1 : 1, n, false);
		if (rc == 0)
			rc = note(op, op->abs, at + len, NULL, true);
		if (rc != 0)
			return rc;
		c = node_new(rest, len, n->perms, n->nperms);
		if (c == NULL)
			return -ENOMEM;
		/* Guests own what they create; dom0 keeps the parent's. */
		if (domid != 0)
			c->perms[0].id = domid;
		node_add(n, c);
		touch(op->st, c);
		touch(op->st, n);
		n = c;
		rest += len;
		if (*rest == '/')
			rest++;
	}
	*np = n;
	return 0;
}

/* Note or fire every node below n, whose path is buf[0..len). */
static int
subtree(struct op *op, struct node *n, char *buf, size_t len)
{
	struct node *c;
	int rc = 0;

	for (c = n->child; c != NULL && rc == 0; c = c->next) {
		size_t l = strlen(c->name);

		buf[len] = '/';
		memcpy(buf + len + 1, c->name, l + 1);
		if (op->tx != NULL)
			rc = note(op, buf, len + 1 + l, c, true);
		else
			fire(op->st, buf, true, c->perms, c->nperms);
		if (rc == 0)
			rc = subtree(op, c, buf, len + 1 + l);
	}
	buf[len] = '\0';
	return rc;
}

static int
remove_node(struct op *op, struct node *n)
{
	size_t len = strlen(op->abs);
	char *buf = malloc(XENSTORE_ABS_PATH_MAX + 2);
	size_t plen = (size_t)(strrchr(op->abs, '/') - op->abs);
	int rc;

	if (buf == NULL)
		return -ENOMEM;
	memcpy(buf, op->abs, len + 1);
	rc = note(op, op->abs, plen > 0 ? plen : 1, n->parent, false);
	if (rc == 0)
		rc = note(op, op->abs, len, n, true);
	if (rc == 0)
		rc = subtree(op, n, buf, len);
	free(buf);
	if (rc != 0)
		return rc;
	if (op->tx == NULL)
		fire(op->st, op->abs, false, n->perms, n->nperms);
	node_unlink(n);
	touch(op->st, n->parent);
	node_free(n);
	return 0;
}

int
xst_read(struct xs_client *cl, uint32_t tx, const char *path, char **val,
	 unsigned int *len)
{
	const char *rest;
	struct node *n;
	struct op op;
	int rc = op_begin(cl, tx, path, &op);

	if (rc == 0)
		rc = get(&op, XS_PERM_READ, &n, &rest);
	if (rc == 0) {
		*val = malloc(n->len + 1);
		if (*val == NULL) {
			rc = -ENOMEM;
		} else {
			memcpy(*val, n->val != NULL ? n->val : "", n->len + 1);
			*len = n->len;
		}
	}
	free(op.abs);
	return rc;
}

int
xst_write(struct xs_client *cl, uint32_t tx, const char *path,
	  const char *val, unsigned int len)
{
	const char *rest;
	struct node *n;
	struct op op;
	int rc = op_begin(cl, tx, path, &op);

	if (rc != 0)
		return rc;
	rc = get(&op, XS_PERM_WRITE, &n, &rest);
	if (rc == -ENOENT)
		rc = create(&op, n, rest, &n);
	if (rc == 0)
		rc = note(&op, op.abs, strlen(op.abs), n, true);
	if (rc == 0)
		rc = node_set_value(n, val, len);
	if (rc == 0)
		changed(&op, n);
	free(op.abs);
	return rc;
}

int
xst_mkdir(struct xs_client *cl, uint32_t tx, const char *path)
{
	const char *rest;
	struct node *n;
	struct op op;
	int rc = op_begin(cl, tx, path, &op);

	if (rc != 0)
		return rc;
	rc = get(&op, XS_PERM_WRITE, &n, &rest);
	if (rc == -ENOENT) {
		rc = create(&op, n, rest, &n);
		if (rc == 0)
			changed(&op, n);
	}
	free(op.abs);
	return rc;
}

int
xst_rm(struct xs_client *cl, uint32_t tx, const char *path)
{
	const char *rest;
	struct node *n;
	struct op op;
	int rc = op_begin(cl, tx, path, &op);

	if (rc != 0)
		return rc;
	rc = strcmp(op.abs, "/") == 0 ? -EINVAL :
	     get(&op, XS_PERM_WRITE, &n, &rest);
	/* Like xenstored: removing what is not there is fine if its
	 * parent is. */
	if (rc == -ENOENT && strchr(rest, '/') == NULL)
		rc = 0;
	else if (rc == 0)
		rc = remove_node(&op, n);
	free(op.abs);
	return rc;
}

int
xst_directory(struct xs_client *cl, uint32_t tx, const char *path,
	      char **names, unsigned int *len)
{
	const char *rest;
	struct node *n, *c;
	struct op op;
	size_t size = 0;
	char *p;
	int rc = op_begin(cl, tx, path, &op);

	if (rc == 0)
		rc = get(&op, XS_PERM_READ, &n, &rest);
	free(op.abs);
	if (rc != 0)
		return rc;
	for (c = n->child; c != NULL; c = c->next)
		size += strlen(c->name) + 1;
	*names = p = malloc(size + 1);
	if (p == NULL)
		return -ENOMEM;
	for (c = n->child; c != NULL; c = c->next)
		p = stpcpy(p, c->name) + 1;
	*len = (unsigned int)size;
	return 0;
}

int
xst_get_perms(struct xs_client *cl, uint32_t tx, const char *path,
	      struct xs_permissions **perms, unsigned int *n)
{
	const char *rest;
	struct node *node;
	struct op op;
	int rc = op_begin(cl, tx, path, &op);

	if (rc == 0)
		rc = get(&op, XS_PERM_READ, &node, &rest);
	free(op.abs);
	if (rc != 0)
		return rc;
	*perms = malloc(node->nperms * sizeof(**perms));
	if (*perms == NULL)
		return -ENOMEM;
	memcpy(*perms, node->perms, node->nperms * sizeof(**perms));
	*n = node->nperms;
	return 0;
}

int
xst_set_perms(struct xs_client *cl, uint32_t tx, const char *path,
	      const struct xs_permissions *perms, unsigned int n)
{
	const char *rest;
	struct node *node;
	struct op op;
	int rc = n == 0 ? -EINVAL : op_begin(cl, tx, path, &op);

	if (rc != 0)
		return rc;
	rc = get(&op, XS_PERM_OWNER, &node, &rest);
	/* Only dom0 gives a node away. */
	if (rc == 0 && cl->domid != 0 && perms[0].id != node->perms[0].id)
		rc = -EPERM;
	if (rc == 0)
		rc = note(&op, op.abs, strlen(op.abs), node, true);
	if (rc == 0)
		rc = node_set_perms(node, perms, n);
	if (rc == 0)
		changed(&op, node);
	free(op.abs);
	return rc;
}

static struct xs_iwatch *
watch_add(struct xs_client *cl, const char *path, const char *token,
	  xs_watch_fn *fn, void *arg, int *err)
{
	struct xs_store *st = cl->st;
	struct xs_iwatch *w;
	char *abs = NULL;

	if (path[0] == '@')
		*err = strcmp(path, "@introduceDomain") == 0 ||
		       strcmp(path, "@releaseDomain") == 0 ? 0 : -EINVAL;
	else
		*err = canonical(cl, path, &abs);
	if (*err == 0 && abs == NULL && (abs = strdup(path)) == NULL)
		*err = -ENOMEM;
	for (w = st->watches; w != NULL && *err == 0 && token != NULL;
	     w = w->next)
		if (w->cl == cl && strcmp(w->abs, abs) == 0 &&
		    strcmp(w->token, token) == 0)
			*err = -EEXIST;
	if (*err == 0 && cl->nwatches >= MAX_WATCHES)
		*err = -E2BIG;
	w = *err == 0 ? calloc(1, sizeof(*w)) : NULL;
	if (w != NULL) {
		w->cl = cl;
		w->abs = abs;
		w->path = strdup(path);
		w->token = token != NULL ? strdup(token) : NULL;
		w->fn = fn;
		w->arg = arg;
		if (w->path == NULL || (token != NULL && w->token == NULL)) {
			watch_free(w);
			*err = -ENOMEM;
			return NULL;
		}
		w->next = st->watches;
		st->watches = w;
		cl->nwatches++;
		return w;
	}
	if (*err == 0)
		*err = -ENOMEM;
	free(abs);
	return NULL;
}

int
xst_watch(struct xs_client *cl, const char *path, const char *token)
{
	int err;

	watch_add(cl, path, token, NULL, NULL, &err);
	return err;
}

int
xst_unwatch(struct xs_client *cl, const char *path, const char *token)
{
	struct xs_iwatch *w;
	char *abs = NULL;
	int rc = 0;

	if (path[0] != '@')
		rc = canonical(cl, path, &abs);
	if (rc != 0)
		return rc;
	for (w = cl->st->watches; w != NULL; w = w->next)
		if (w->cl == cl && w->token != NULL &&
		    strcmp(w->abs, abs != NULL ? abs : path) == 0 &&
		    strcmp(w->token, token) == 0)
			break;
	free(abs);
	if (w == NULL)
		return -ENOENT;
	watch_drop(cl->st, w);
	return 0;
}

static void
tx_free(struct tx *tx)
{
	unsigned int i;

	for (i = 0; i < tx->nlog; i++)
		free(tx->log[i].path);
	free(tx->log);
	if (tx->root != NULL)
		node_free(tx->root);
	free(tx);
}

int
xst_tx_start(struct xs_client *cl, uint32_t *id)
{
	struct xs_store *st = cl->st;
	struct tx *tx;

	if (cl->ntxs >= MAX_TXS)
		return -ENOSPC;
	tx = calloc(1, sizeof(*tx));
	if (tx == NULL)
		return -ENOMEM;
	tx->root = node_clone(st->root, NULL);
	if (tx->root == NULL) {
		free(tx);
		return -ENOMEM;
	}
	if (++st->last_tx == 0)
		st->last_tx = 1;
	tx->id = st->last_tx;
	tx->next = cl->txs;
	cl->txs = tx;
	cl->ntxs++;
	*id = tx->id;
	return 0;
}

static unsigned int
depth(const char *path)
{
	unsigned int d = 0;

	while ((path = strchr(path + 1, '/')) != NULL)
		d++;
	return d;
}

static int
by_depth(const void *a, const void *b)
{
	const struct access *x = *(struct access *const *)a;
	const struct access *y = *(struct access *const *)b;
	unsigned int dx = depth(x->path), dy = depth(y->path);

	if (dx != dy)
		return dx < dy ? -1 : 1;
	return x < y ? -1 : x > y;	/* keep the order of first use */
}

/* Make the live tree look like the transaction's copy where it changed. */
static int
tx_apply(struct xs_store *st, struct tx *tx)
{
	struct access **todo = malloc(tx->nlog * sizeof(*todo) + 1);
	unsigned int i, n = 0;
	int rc = 0;

	if (todo == NULL)
		return -ENOMEM;
	for (i = 0; i < tx->nlog; i++)
		if (tx->log[i].changed)
			todo[n++] = &tx->log[i];
	/* Parents before children. */
	qsort(todo, n, sizeof(*todo), by_depth);
	for (i = 0; i < n && rc == 0; i++) {
		struct op op = { .st = st, .cl = st->dom0,
				 .rootp = &st->root, .abs = todo[i]->path };
		struct node *tn = lookup(tx->root, op.abs);
		const char *rest;
		struct node *ln = walk(st->root, op.abs, &rest);

		if (tn != NULL) {
			rc = create(&op, ln, rest, &ln);
			if (rc == 0)
				rc = node_set_value(ln, tn->val != NULL ?
						    tn->val : "", tn->len);
			if (rc == 0)
				rc = node_set_perms(ln, tn->perms, tn->nperms);
			if (rc == 0)
				changed(&op, ln);
		} else if (*rest == '\0') {
			rc = remove_node(&op, ln);
		}
	}
	free(todo);
	return rc;
}

int
xst_tx_end(struct xs_client *cl, uint32_t id, bool commit)
{
	struct tx **pt, *tx;
	unsigned int i;
	int rc = 0;

	for (pt = &cl->txs; *pt != NULL; pt = &(*pt)->next)
		if ((*pt)->id == id)
			break;
	tx = *pt;
	if (tx == NULL)
		return -ENOENT;
	*pt = tx->next;
	cl->ntxs--;
	for (i = 0; commit && i < tx->nlog; i++) {
		struct node *n = lookup(cl->st->root, tx->log[i].path);

		if ((n != NULL ? n->gen : 0) != tx->log[i].gen) {
			rc = -EAGAIN;
			break;
		}
	}
	if (commit && rc == 0)
		rc = tx_apply(cl->st, tx);
	tx_free(tx);
	return rc;
}

static void
drop_all(struct xs_client *cl)
{
	struct xs_iwatch *w, *next;

	for (w = cl->st->watches; w != NULL; w = next) {
		next = w->next;
		if (w->cl == cl)
			watch_drop(cl->st, w);
	}
	while (cl->txs != NULL) {
		struct tx *tx = cl->txs;

		cl->txs = tx->next;
		tx_free(tx);
	}
	cl->ntxs = 0;
}

void
xst_reset(struct xs_client *cl)
{
	drop_all(cl);
}

struct xs_client *
xst_client_create(struct xs_store *st, unsigned int domid, xs_event_fn *fn,
		  void *arg)
{
	struct xs_client *cl = calloc(1, sizeof(*cl));

	if (cl == NULL)
		return NULL;
	cl->st = st;
	cl->domid = domid;
	cl->fn = fn;
	cl->arg = arg;
	return cl;
}

void
xst_client_destroy(struct xs_client *cl)
{
	if (cl == NULL)
		return;
	drop_all(cl);
	free(cl);
}

bool
xst_introduced(struct xs_store *st, unsigned int domid)
{
	return domid < DOMID_FIRST_RESERVED &&
	       (st->introduced[domid / 64] >> (domid % 64)) & 1;
}

struct loop *
xst_loop(struct xs_store *st)
{
	return st->lp;
}

struct xs_server **
xst_server(struct xs_store *st)
{
	return &st->server;
}

struct xs_store *
xs_store_create(struct loop *lp)
{
	static const struct xs_permissions dom0_only = {
		.id = 0, .perms = XS_PERM_NONE
	};
	struct xs_store *st = calloc(1, sizeof(*st));

	if (st == NULL)
		return NULL;
	st->lp = lp;
	st->evq_tail = &st->evq;
	st->root = node_new("", 0, &dom0_only, 1);
	st->dom0 = xst_client_create(st, 0, NULL, NULL);
	if (st->root == NULL || st->dom0 == NULL ||
	    xs_dom0_mkdir(st, "/local/domain") != 0) {
		xs_store_destroy(st);
		return NULL;
	}
	return st;
}

void
xs_store_destroy(struct xs_store *st)
{
	if (st == NULL)
		return;
	if (st->later != NULL)
		st->later->st = NULL;
	if (st->server != NULL)
		xs_server_destroy(st->server);
	xst_client_destroy(st->dom0);
	while (st->evq != NULL) {
		struct event *ev = st->evq;

		st->evq = ev->next;
		if (--ev->w->pending == 0 && ev->w->gone)
			watch_free(ev->w);
		free(ev);
	}
	if (st->root != NULL)
		node_free(st->root);
	free(st);
}

int
xs_store_introduce(struct xs_store *st, unsigned int domid)
{
	struct xs_permissions own = { .id = domid, .perms = XS_PERM_NONE };
	char path[32];
	int rc;

	if (domid >= DOMID_FIRST_RESERVED)
		return -EINVAL;
	snprintf(path, sizeof(path), DOM_PATH "%u", domid);
	rc = xs_dom0_mkdir(st, path);
	if (rc == 0)
		rc = xs_dom0_set_perms(st, path, &own, 1);
	if (rc == 0 && !xst_introduced(st, domid)) {
		st->introduced[domid / 64] |= 1ull << (domid % 64);
		fire(st, "@introduceDomain", true, NULL, 0);
	}
	return rc;
}

int
xs_dom0_write(struct xs_store *st, const char *path, const char *fmt, ...)
{
	va_list ap;
	char *val;
	int len, rc;

	if (path[0] != '/')
		return -EINVAL;
	va_start(ap, fmt);
	len = vasprintf(&val, fmt, ap);
	va_end(ap);
	if (len < 0)
		return -ENOMEM;
	rc = xst_write(st->dom0, 0, path, val, (unsigned int)len);
	free(val);
	return rc;
}

char *
xs_dom0_read(struct xs_store *st, const char *path)
{
	unsigned int len;
	char *val;
	int rc = path[0] == '/' ? xst_read(st->dom0, 0, path, &val, &len) :
				  -EINVAL;

	if (rc != 0) {
		errno = -rc;
		return NULL;
	}
	return val;
}

int
xs_dom0_read_uint(struct xs_store *st, const char *path, unsigned long *val)
{
	char *s = xs_dom0_read(st, path), *end;
	int rc = 0;

	if (s == NULL)
		return -errno;
	errno = 0;
	*val = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-')
		rc = -EINVAL;
	free(s);
	return rc;
}

int
xs_dom0_mkdir(struct xs_store *st, const char *path)
{
	return path[0] == '/' ? xst_mkdir(st->dom0, 0, path) : -EINVAL;
}

int
xs_dom0_rm(struct xs_store *st, const char *path)
{
	return path[0] == '/' ? xst_rm(st->dom0, 0, path) : -EINVAL;
}

int
xs_dom0_set_perms(struct xs_store *st, const char *path,
		  const struct xs_permissions *perms, unsigned int n)
{
	return path[0] == '/' ? xst_set_perms(st->dom0, 0, path, perms, n) :
				-EINVAL;
}

struct xs_iwatch *
xs_dom0_watch(struct xs_store *st, const char *path, xs_watch_fn *fn,
	      void *arg)
{
	struct xs_iwatch *w;
	int err = -EINVAL;

	w = path[0] == '/' || path[0] == '@' ?
	    watch_add(st->dom0, path, NULL, fn, arg, &err) : NULL;
	if (w == NULL) {
		errno = -err;
		return NULL;
	}
	enqueue(st, w, path);
	return w;
}

void
xs_dom0_unwatch(struct xs_store *st, struct xs_iwatch *w)
{
	if (w != NULL)
		watch_drop(st, w);
}
