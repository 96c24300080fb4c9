/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xenstored's wire protocol (xen/io/xs_wire.h) on unix sockets: each
 * listening socket serves one domain, so libxenstore pointed at it with
 * XENSTORED_PATH acts as that domain. Framing, argument parsing and
 * replies live here; the semantics are the store's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <xen/xen.h>
#include <xen/io/xs_wire.h>

#include "loop.h"
#include "xs_tree.h"

#define HDR_SIZE	sizeof(struct xsd_sockmsg)
/* Replies and events a client has not read yet; beyond this it goes. */
#define OUT_MAX		(1u << 20)
#define MAX_PERMS	(XENSTORE_PAYLOAD_MAX / 2)

struct conn {
	struct conn *next;
	struct xs_server *srv;
	struct xs_client *cl;
	int fd;
	bool dead;
	unsigned int in_len;
	char in[HDR_SIZE + XENSTORE_PAYLOAD_MAX];
	char *out;
	size_t out_off, out_len, out_cap;
};

struct listener {
	struct listener *next;
	struct xs_server *srv;
	int fd;
	unsigned int domid;
};

struct xs_server {
	struct xs_store *st;
	struct loop *lp;
	struct listener *listeners;
	struct conn *conns;
	char arg[XENSTORE_PAYLOAD_MAX + 1];	/* NUL-terminated payload */
	struct xs_permissions perms[MAX_PERMS];
};

static void
conn_free(struct conn *c)
{
	struct conn **pc = &c->srv->conns;

	while (*pc != c)
		pc = &(*pc)->next;
	*pc = c->next;
	xst_client_destroy(c->cl);
	close(c->fd);
	free(c->out);
	free(c);
}

/* Freed later: the connection may be in the middle of a watch firing. */
static void
conn_kill(struct conn *c)
{
	if (c->dead)
		return;
	c->dead = true;
	loop_del_fd(c->srv->lp, c->fd);
	xst_schedule(c->srv->st);
}

void
xs_server_reap(struct xs_server *srv)
{
	struct conn *c = srv->conns, *next;

	for (; c != NULL; c = next) {
		next = c->next;
		if (c->dead)
			conn_free(c);
	}
}

static void
conn_flush(struct conn *c)
{
	while (!c->dead && c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off,
				 c->out_len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n > 0)
			c->out_off += (size_t)n;
		else if (n < 0 && errno == EAGAIN)
			return;
		else if (n < 0 && errno != EINTR)
			conn_kill(c);
	}
	c->out_off = c->out_len = 0;
}

static void
conn_send(struct conn *c, uint32_t type, uint32_t req_id, uint32_t tx_id,
	  const void *data, unsigned int len)
{
	struct xsd_sockmsg h = {
		.type = type, .req_id = req_id, .tx_id = tx_id, .len = len
	};
	size_t need = HDR_SIZE + len;

	if (c->dead)
		return;
	if (c->out_len - c->out_off + need > OUT_MAX) {
		fprintf(stderr, "xensim: xenstore client not reading its "
			"replies, disconnecting it\n");
		conn_kill(c);
		return;
	}
	if (c->out_off > 0) {
		memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
		c->out_len -= c->out_off;
		c->out_off = 0;
	}
	if (c->out_len + need > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 4096;
		char *p;

		while (cap < c->out_len + need)
			cap *= 2;
		p = realloc(c->out, cap);
		if (p == NULL) {
			conn_kill(c);
			return;
		}
		c->out = p;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, &h, HDR_SIZE);
	memcpy(c->out + c->out_len + HDR_SIZE, data, len);
	c->out_len += need;
}

static void
conn_event(void *arg, const char *path, const char *token)
{
	struct conn *c = arg;
	size_t plen = strlen(path) + 1, tlen = strlen(token) + 1;
	char buf[XENSTORE_PAYLOAD_MAX];

	if (plen + tlen > sizeof(buf))
		return;		/* too long to frame: dropped */
	memcpy(buf, path, plen);
	memcpy(buf + plen, token, tlen);
	conn_send(c, XS_WATCH_EVENT, 0, 0, buf, (unsigned int)(plen + tlen));
	conn_flush(c);
}

static void
reply_error(struct conn *c, const struct xsd_sockmsg *h, int err)
{
	const char *s = "EINVAL";
	size_t i;

	for (i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++)
		if (xsd_errors[i].errnum == err)
			s = xsd_errors[i].errstring;
	conn_send(c, XS_ERROR, h->req_id, h->tx_id, s,
		  (unsigned int)strlen(s) + 1);
}

static void
reply(struct conn *c, const struct xsd_sockmsg *h, const void *data,
      unsigned int len)
{
	if (len > XENSTORE_PAYLOAD_MAX)
		reply_error(c, h, E2BIG);
	else
		conn_send(c, h->type, h->req_id, h->tx_id, data, len);
}

/*
 * Split the payload into n NUL-terminated strings filling it exactly; or,
 * for XS_WRITE (n == 1 with rest), one string and raw bytes after it.
 */
static bool
split(char *p, unsigned int len, const char **v, unsigned int n)
{
	unsigned int i, at = 0;

	for (i = 0; i < n; i++) {
		char *nul = memchr(p + at, '\0', len - at);

		if (nul == NULL)
			return false;
		v[i] = p + at;
		at = (unsigned int)(nul - p) + 1;
	}
	return at == len;
}

static int
parse_domid(const char *s, unsigned int *domid)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (end == s || *end != '\0' || s[0] == '-' || v > DOMID_MASK)
		return -EINVAL;
	*domid = (unsigned int)v;
	return 0;
}

static int
do_set_perms(struct conn *c, const struct xsd_sockmsg *h, char *p)
{
	size_t plen = strnlen(p, h->len);
	unsigned int n = 0, i;
	const char *s;

	if (plen == h->len || p[h->len - 1] != '\0')
		return -EINVAL;
	for (s = p + plen + 1; s < p + h->len; s += strlen(s) + 1)
		n++;
	if (n == 0 || n > MAX_PERMS ||
	    !xs_strings_to_perms(c->srv->perms, n, p + plen + 1))
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (c->srv->perms[i].id > DOMID_MASK)
			return -EINVAL;
	return xst_set_perms(c->cl, h->tx_id, p, c->srv->perms, n);
}

static char
perm_letter(unsigned int perms)
{
	return "nrwb"[perms & (XS_PERM_READ | XS_PERM_WRITE)];
}

/* Answers to ops taking one path. */
static int
do_path_op(struct conn *c, const struct xsd_sockmsg *h, const char *path)
{
	struct xs_permissions *perms;
	unsigned int len, n, i;
	char *out, *s;
	int rc;

	switch (h->type) {
	case XS_READ:
		rc = xst_read(c->cl, h->tx_id, path, &out, &len);
		break;
	case XS_DIRECTORY:
		rc = xst_directory(c->cl, h->tx_id, path, &out, &len);
		break;
	case XS_GET_PERMS:
		rc = xst_get_perms(c->cl, h->tx_id, path, &perms, &n);
		if (rc != 0)
			return rc;
		/* "r1\0" per entry: a letter, an id, a NUL. */
		out = s = malloc(n * 12);
		for (i = 0; s != NULL && i < n; i++)
			s += sprintf(s, "%c%u", perm_letter(perms[i].perms),
				     perms[i].id) + 1;
		free(perms);
		if (out == NULL)
			return -ENOMEM;
		len = (unsigned int)(s - out);
		break;
	case XS_MKDIR:
		rc = xst_mkdir(c->cl, h->tx_id, path);
		goto ack;
	case XS_RM:
		rc = xst_rm(c->cl, h->tx_id, path);
		goto ack;
	default:
		return -EINVAL;
	}
	if (rc == 0) {
		reply(c, h, out, len);
		free(out);
	}
	return rc;
ack:
	if (rc == 0)
		reply(c, h, "OK", 3);
	return rc;
}

static int
handle(struct conn *c, const struct xsd_sockmsg *h, char *p)
{
	const char *v[2];
	unsigned int domid;
	uint32_t id;
	char buf[32];
	int rc;

	switch (h->type) {
	case XS_READ:
	case XS_DIRECTORY:
	case XS_GET_PERMS:
	case XS_MKDIR:
	case XS_RM:
		if (!split(p, h->len, v, 1))
			return -EINVAL;
		return do_path_op(c, h, v[0]);
	case XS_WRITE:
		if (memchr(p, '\0', h->len) == NULL)
			return -EINVAL;
		rc = (int)strlen(p) + 1;
		rc = xst_write(c->cl, h->tx_id, p, p + rc, h->len - rc);
		break;
	case XS_SET_PERMS:
		rc = do_set_perms(c, h, p);
		break;
	case XS_WATCH:
		if (!split(p, h->len, v, 2))
			return -EINVAL;
		rc = xst_watch(c->cl, v[0], v[1]);
		if (rc != 0)
			return rc;
		reply(c, h, "OK", 3);
		/* Xen fires every new watch once. */
		conn_event(c, v[0], v[1]);
		return 0;
	case XS_UNWATCH:
		if (!split(p, h->len, v, 2))
			return -EINVAL;
		rc = xst_unwatch(c->cl, v[0], v[1]);
		break;
	case XS_RESET_WATCHES:
		xst_reset(c->cl);
		rc = 0;
		break;
	case XS_TRANSACTION_START:
		if (h->tx_id != 0)
			return -EBUSY;
		rc = xst_tx_start(c->cl, &id);
		if (rc != 0)
			return rc;
		snprintf(buf, sizeof(buf), "%u", id);
		reply(c, h, buf, (unsigned int)strlen(buf) + 1);
		return 0;
	case XS_TRANSACTION_END:
		if (!split(p, h->len, v, 1) ||
		    (strcmp(v[0], "T") != 0 && strcmp(v[0], "F") != 0))
			return -EINVAL;
		rc = xst_tx_end(c->cl, h->tx_id, v[0][0] == 'T');
		break;
	case XS_GET_DOMAIN_PATH:
		if (!split(p, h->len, v, 1) || parse_domid(v[0], &domid) != 0)
			return -EINVAL;
		snprintf(buf, sizeof(buf), "/local/domain/%u", domid);
		reply(c, h, buf, (unsigned int)strlen(buf) + 1);
		return 0;
	case XS_IS_DOMAIN_INTRODUCED:
		if (!split(p, h->len, v, 1) || parse_domid(v[0], &domid) != 0)
			return -EINVAL;
		reply(c, h, xst_introduced(c->srv->st, domid) ? "T" : "F", 2);
		return 0;
	case XS_CONTROL:
	case XS_INTRODUCE:
	case XS_RELEASE:
	case XS_RESUME:
	case XS_SET_TARGET:
	case XS_DIRECTORY_PART:
		return -ENOSYS;
	default:
		return -EINVAL;
	}
	if (rc == 0)
		reply(c, h, "OK", 3);
	return rc;
}

/* Serve every complete message in the input buffer. */
static void
conn_parse(struct conn *c)
{
	struct xs_server *srv = c->srv;
	unsigned int off = 0;

	while (!c->dead && c->in_len - off >= HDR_SIZE) {
		struct xsd_sockmsg h;
		int rc;

		memcpy(&h, c->in + off, HDR_SIZE);
		if (h.len > XENSTORE_PAYLOAD_MAX) {
			/* The stream cannot be trusted past this. */
			reply_error(c, &h, E2BIG);
			conn_flush(c);
			conn_kill(c);
			return;
		}
		if (c->in_len - off < HDR_SIZE + h.len)
			break;
		memcpy(srv->arg, c->in + off + HDR_SIZE, h.len);
		srv->arg[h.len] = '\0';
		rc = handle(c, &h, srv->arg);
		if (rc != 0)
			reply_error(c, &h, -rc);
		off += HDR_SIZE + h.len;
	}
	memmove(c->in, c->in + off, c->in_len - off);
	c->in_len -= off;
}

static void
on_conn(void *arg, int fd, unsigned int events)
{
	struct conn *c = arg;

	/* Edge-triggered: drain the socket. */
	while (!c->dead) {
		ssize_t n = read(fd, c->in + c->in_len,
				 sizeof(c->in) - c->in_len);

		if (n > 0) {
			c->in_len += (unsigned int)n;
			conn_parse(c);
		} else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
			conn_flush(c);
			conn_kill(c);
		} else if (errno == EAGAIN) {
			break;
		}
	}
	conn_flush(c);
}

static void
on_accept(void *arg, int fd, unsigned int events)
{
	struct listener *l = arg;
	struct xs_server *srv = l->srv;

	for (;;) {
		int cfd = accept4(fd, NULL, NULL,
				  SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct conn *c;

		if (cfd < 0) {
			if (errno != EAGAIN && errno != EINTR)
				fprintf(stderr, "xensim: xenstore accept: "
					"%s\n", strerror(errno));
			if (errno != EINTR)
				return;
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (c != NULL) {
			c->srv = srv;
			c->fd = cfd;
			c->cl = xst_client_create(srv->st, l->domid,
						  conn_event, c);
		}
		if (c == NULL || c->cl == NULL ||
		    loop_add_fd(srv->lp, cfd, EPOLLIN | EPOLLOUT | EPOLLRDHUP |
				EPOLLET, on_conn, c) != 0) {
			fprintf(stderr, "xensim: xenstore: cannot take a "
				"connection: out of memory\n");
			if (c != NULL)
				xst_client_destroy(c->cl);
			free(c);
			close(cfd);
			continue;
		}
		c->next = srv->conns;
		srv->conns = c;
	}
}

int
xs_server_listen(struct xs_store *st, const char *sock_path,
		 unsigned int domid)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct xs_server **srvp = xst_server(st);
	struct listener *l;
	int fd, err;

	if (domid >= DOMID_FIRST_RESERVED ||
	    strlen(sock_path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "xensim: cannot serve dom%u on %s: %s\n",
			domid, sock_path, domid >= DOMID_FIRST_RESERVED ?
			"bad domain id" : "socket path too long");
		return -EINVAL;
	}
	if (*srvp == NULL) {
		*srvp = calloc(1, sizeof(**srvp));
		if (*srvp == NULL)
			return -ENOMEM;
		(*srvp)->st = st;
		(*srvp)->lp = xst_loop(st);
	}
	l = calloc(1, sizeof(*l));
	if (l == NULL)
		return -ENOMEM;
	strcpy(sa.sun_path, sock_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(fd, 64) != 0) {
		err = -errno;
		fprintf(stderr, "xensim: cannot listen on %s: %s\n",
			sock_path, strerror(errno));
		goto fail;
	}
	l->srv = *srvp;
	l->fd = fd;
	l->domid = domid;
	err = loop_add_fd(l->srv->lp, fd, EPOLLIN, on_accept, l);
	if (err != 0)
		goto fail;
	l->next = l->srv->listeners;
	l->srv->listeners = l;
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	free(l);
	return err;
}

/* Closing the sockets takes them out of epoll; the loop frees its own
 * records. */
void
xs_server_destroy(struct xs_server *srv)
{
	while (srv->listeners != NULL) {
		struct listener *l = srv->listeners;

		srv->listeners = l->next;
		close(l->fd);
		free(l);
	}
	while (srv->conns != NULL)
		conn_free(srv->conns);
	free(srv);
}
