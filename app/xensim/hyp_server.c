/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The hypervisor socket of each domain (xensim_proto.h). Runs on the loop
 * thread, like the rest of the control plane.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "evtchn.h"
#include "gnttab.h"
#include "hyp_server.h"
#include "loop.h"
#include "xenplat_ops.h"
#include "xensim_proto.h"
#include "xsim.h"

struct listener {
	struct xsim *xs;
	struct xsim_domain *d;
	int fd;
};

struct share_rec {
	struct share_rec *next;
	uint64_t handle;
	int memfd;		/* kept for backends that map these pages */
	unsigned int count;
	grant_ref_t refs[];
};

struct map_rec {
	struct map_rec *next;
	domid_t dom;
	grant_ref_t ref;
};

struct port_rec {
	struct port_rec *next;
	evtchn_port_t port;
	unsigned int incarnation;	/* the domain's, at open */
};

/* One guest or backend process. */
struct conn {
	struct conn *next;
	struct xsim *xs;
	struct xsim_domain *d;
	int fd;
	struct share_rec *shares;
	struct map_rec *maps;
	struct port_rec *ports;
};

static struct listener listeners[XSIM_MAX_DOMAINS];
/* Every connection: GNT_MAP looks up the granting process's memfd. */
static struct conn *conns;
/* Loop thread only: one request in flight at a time. */
static struct xsim_req req;
static struct xsim_rsp rsp;

static void __attribute__((format(printf, 2, 3)))
fail(int rc, const char *fmt, ...)
{
	va_list ap;

	rsp.rc = rc;
	va_start(ap, fmt);
	vsnprintf(rsp.msg, sizeof(rsp.msg), fmt, ap);
	va_end(ap);
}

static void
do_share(struct conn *c, int *fds, unsigned int *nfds)
{
	unsigned int count = req.u.share.count;
	unsigned int limit = c->xs->gntalloc_limit;
	domid_t grantee = req.u.share.grantee;
	struct share_rec *sh;
	int rc;

	if (count == 0 || count > XSIM_SHARE_MAX) {
		fail(-EINVAL, "cannot share %u pages: 1..%u at a time",
		     count, XSIM_SHARE_MAX);
		return;
	}
	if (xsim_domain(c->xs, grantee) == NULL) {
		fail(-ESRCH, "no domain %u to grant to", grantee);
		return;
	}
	/* As gntalloc: one count for the whole guest, every process. */
	if (limit != 0 && count > limit - c->d->gntalloc_pages) {
		rsp.limit = limit;
		fail(-ENOSPC, "gntalloc limit of %u pages reached "
		     "(%u shared by this guest, %u more asked): raise xensim "
		     "--gntalloc-limit", limit, c->d->gntalloc_pages, count);
		return;
	}
	sh = calloc(1, sizeof(*sh) + count * sizeof(sh->refs[0]));
	if (sh == NULL) {
		fail(-ENOMEM, "out of memory");
		return;
	}
	rc = gnttab_share(c->d->gnttab, grantee, count, req.u.share.writable,
			  sh->refs, &sh->memfd, &sh->handle);
	if (rc != 0) {
		free(sh);
		fail(rc, "grant table of dom%u: %s", c->d->domid,
		     strerror(-rc));
		return;
	}
	sh->count = count;
	sh->next = c->shares;
	c->shares = sh;
	c->d->gntalloc_pages += count;
	memcpy(rsp.u.refs, sh->refs, count * sizeof(sh->refs[0]));
	rsp.handle = sh->handle;
	fds[(*nfds)++] = sh->memfd;
}

static int
unshare(struct conn *c, struct share_rec *sh)
{
	int rc = gnttab_unshare(c->d->gnttab, sh->handle);

	c->d->gntalloc_pages -= sh->count;
	close(sh->memfd);
	free(sh);
	return rc;
}

static void
do_unshare(struct conn *c)
{
	struct share_rec **psh, *sh;

	for (psh = &c->shares; *psh != NULL; psh = &(*psh)->next)
		if ((*psh)->handle == req.u.unshare.handle)
			break;
	if (*psh == NULL) {
		fail(-ENOENT, "no share %llu on this connection",
		     (unsigned long long)req.u.unshare.handle);
		return;
	}
	sh = *psh;
	*psh = sh->next;
	if (unshare(c, sh) == -EBUSY)
		fail(-EBUSY, "a page is still in use by the backend: it is "
		     "freed when released");
}

static int
port_opened(struct conn *c, evtchn_port_t port, int *fds,
	    unsigned int *nfds)
{
	struct port_rec *pr = malloc(sizeof(*pr));

	if (pr == NULL) {
		evtchn_close(c->xs->evtchn, c->d->domid, port);
		return -ENOMEM;
	}
	pr->port = port;
	pr->incarnation = c->d->incarnation;
	pr->next = c->ports;
	c->ports = pr;
	evtchn_fds(c->xs->evtchn, c->d->domid, port, &fds[0], &fds[1]);
	*nfds = 2;
	rsp.port = port;
	return 0;
}

static void
do_evtchn_open(struct conn *c, int *fds, unsigned int *nfds)
{
	domid_t remote = req.u.evtchn.remote;
	evtchn_port_t port;
	int rc;

	if (xsim_domain(c->xs, remote) == NULL) {
		fail(-ESRCH, "no domain %u", remote);
		return;
	}
	if (req.op == XSIM_EVTCHN_ALLOC_UNBOUND)
		rc = evtchn_alloc_unbound(c->xs->evtchn, c->d->domid, remote,
					  &port);
	else
		rc = evtchn_bind_interdomain(c->xs->evtchn, c->d->domid,
					     remote, req.u.evtchn.port, &port);
	if (rc == -EINVAL) {
		fail(rc, "dom%u port %u is not an unbound port",
		     remote, req.u.evtchn.port);
		return;
	}
	if (rc == -EACCES) {
		fail(rc, "dom%u port %u is not offered to dom%u",
		     remote, req.u.evtchn.port, c->d->domid);
		return;
	}
	if (rc == 0)
		rc = port_opened(c, port, fds, nfds);
	if (rc != 0)
		fail(rc, "event channel: %s", strerror(-rc));
}

static bool
port_stale(const struct conn *c, const struct port_rec *pr)
{
	return pr->incarnation != c->d->incarnation;
}

static void
do_evtchn_close(struct conn *c)
{
	domid_t dom = c->d->domid;
	struct port_rec **ppr, *pr;

	/* Newest first: a live port shadows a stale one of its number. */
	for (ppr = &c->ports; *ppr != NULL; ppr = &(*ppr)->next)
		if ((*ppr)->port == req.u.evtchn.port)
			break;
	if (*ppr == NULL) {
		fail(-EINVAL, "port %u is not open on this connection",
		     req.u.evtchn.port);
		return;
	}
	pr = *ppr;
	*ppr = pr->next;
	if (port_stale(c, pr)) {
		/* Its number may be a new port's now: not ours to close. */
		c->xs->stale_evtchn_closes++;
		fprintf(stderr, "xensim: dom%u unbound port %u of before its "
			"restore: Linux would BUG() here "
			"(drivers/xen/evtchn.c)\n", dom, pr->port);
		fail(-ESTALE, "port %u died with dom%u's restore: Linux "
		     "BUG()s on this unbind", pr->port, dom);
	} else {
		evtchn_close(c->xs->evtchn, dom, pr->port);
	}
	free(pr);
}

/* The process sharing ref of dom, for its memfd. */
static struct share_rec *
find_share(domid_t dom, grant_ref_t ref, unsigned int *idx)
{
	struct share_rec *sh;
	struct conn *c;
	unsigned int i;

	for (c = conns; c != NULL; c = c->next) {
		if (c->d->domid != dom)
			continue;
		for (sh = c->shares; sh != NULL; sh = sh->next)
			for (i = 0; i < sh->count; i++)
				if (sh->refs[i] == ref) {
					*idx = i;
					return sh;
				}
	}
	return NULL;
}

static void
do_map(struct conn *c, struct gnttab *gt, int *fds, unsigned int *nfds)
{
	domid_t dom = req.u.gref.domid;
	grant_ref_t ref = req.u.gref.ref;
	struct share_rec *sh;
	struct map_rec *m;
	unsigned int idx;
	void *addr;

	rsp.status = gnttab_map(gt, c->d->domid, ref, req.u.gref.readonly,
				&addr);
	if (rsp.status != GNTST_okay)
		return;
	sh = find_share(dom, ref, &idx);
	m = sh != NULL ? malloc(sizeof(*m)) : NULL;
	if (m == NULL) {
		/* Unshared but still busy, or no memory: refuse. */
		gnttab_unmap(gt, c->d->domid, ref);
		rsp.status = sh != NULL ? GNTST_no_space : GNTST_bad_gntref;
		return;
	}
	*m = (struct map_rec){ .next = c->maps, .dom = dom, .ref = ref };
	c->maps = m;
	rsp.offset = (uint64_t)idx * XSIM_PAGE_SIZE;
	fds[(*nfds)++] = sh->memfd;
}

static void
do_unmap(struct conn *c, struct gnttab *gt)
{
	struct map_rec **pm, *m;

	for (pm = &c->maps; *pm != NULL; pm = &(*pm)->next)
		if ((*pm)->dom == req.u.gref.domid &&
		    (*pm)->ref == req.u.gref.ref)
			break;
	if (*pm == NULL) {
		rsp.status = GNTST_bad_handle;
		return;
	}
	m = *pm;
	*pm = m->next;
	rsp.status = gnttab_unmap(gt, c->d->domid, m->ref);
	free(m);
}

/* Backend side: this connection's domain uses another domain's grants. */
static void
do_gref(struct conn *c, int *fds, unsigned int *nfds)
{
	struct xsim_domain *target = xsim_domain(c->xs, req.u.gref.domid);
	domid_t me = c->d->domid;

	if (target == NULL) {
		rsp.status = GNTST_bad_domain;
		return;
	}
	switch (req.op) {
	case XSIM_GNT_COPY_FROM:
		rsp.status = gnttab_copy_from(target->gnttab, me,
					      req.u.gref.ref, req.u.gref.off,
					      req.u.gref.len, rsp.u.data);
		break;
	case XSIM_GNT_COPY_TO:
		rsp.status = gnttab_copy_to(target->gnttab, me, req.u.gref.ref,
					    req.u.gref.off, req.u.gref.len,
					    req.data);
		break;
	case XSIM_GNT_MAP:
		do_map(c, target->gnttab, fds, nfds);
		break;
	default:
		do_unmap(c, target->gnttab);
		break;
	}
}

static void
handle(struct conn *c, int *fds, unsigned int *nfds)
{
	switch (req.op) {
	case XSIM_GNT_SHARE:
		do_share(c, fds, nfds);
		break;
	case XSIM_GNT_UNSHARE:
		do_unshare(c);
		break;
	case XSIM_EVTCHN_ALLOC_UNBOUND:
	case XSIM_EVTCHN_BIND_INTERDOMAIN:
		do_evtchn_open(c, fds, nfds);
		break;
	case XSIM_EVTCHN_CLOSE:
		do_evtchn_close(c);
		break;
	case XSIM_GNT_LIMIT:
		rsp.limit = c->xs->gntalloc_limit;
		break;
	case XSIM_GNT_COPY_FROM:
	case XSIM_GNT_COPY_TO:
	case XSIM_GNT_MAP:
	case XSIM_GNT_UNMAP:
		do_gref(c, fds, nfds);
		break;
	default:
		fail(-EOPNOTSUPP, "unknown request %u", req.op);
		break;
	}
}

/* What a process exit does on Xen: unmap, end its grants, close ports. */
static void
conn_close(struct conn *c)
{
	unsigned int stale = 0;
	struct conn **pc;

	while (c->maps != NULL) {
		struct map_rec *m = c->maps;

		c->maps = m->next;
		gnttab_unmap(xsim_domain(c->xs, m->dom)->gnttab, c->d->domid,
			     m->ref);
		free(m);
	}
	while (c->shares != NULL) {
		struct share_rec *sh = c->shares;

		c->shares = sh->next;
		unshare(c, sh);
	}
	while (c->ports != NULL) {
		struct port_rec *pr = c->ports;

		c->ports = pr->next;
		if (port_stale(c, pr))
			stale++;
		else
			evtchn_close(c->xs->evtchn, c->d->domid, pr->port);
		free(pr);
	}
	if (stale > 0) {
		c->xs->stale_evtchn_at_exit += stale;
		fprintf(stderr, "xensim: dom%u: a process let go of %u port%s "
			"of before its restore: Linux would BUG() in "
			"evtchn_release (drivers/xen/evtchn.c)\n",
			c->d->domid, stale, stale == 1 ? "" : "s");
	}
	for (pc = &conns; *pc != c; pc = &(*pc)->next)
		;
	*pc = c->next;
	loop_del_fd(c->xs->loop, c->fd);
	close(c->fd);
	free(c);
}

static int
send_rsp(int fd, const int *fds, unsigned int nfds)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(2 * sizeof(int))];
	} ctl;
	struct iovec iov = { .iov_base = &rsp, .iov_len = sizeof(rsp) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	rsp.nr_fds = (uint16_t)nfds;
	if (nfds > 0) {
		struct cmsghdr *cm;

		memset(&ctl, 0, sizeof(ctl));
		mh.msg_control = ctl.buf;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, nfds * sizeof(int));
	}
	return sendmsg(fd, &mh, MSG_NOSIGNAL) == (ssize_t)sizeof(rsp) ? 0 : -1;
}

static void
on_conn(void *arg, int fd, unsigned int events)
{
	struct conn *c = arg;
	struct iovec iov = { .iov_base = &req, .iov_len = sizeof(req) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	unsigned int nfds = 0;
	int fds[2];
	ssize_t n;

	n = recvmsg(fd, &mh, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		conn_close(c);
		return;
	}
	memset(&rsp, 0, sizeof(rsp));
	if (n != (ssize_t)sizeof(req) || (mh.msg_flags & MSG_TRUNC))
		fail(-EBADMSG, "malformed request: %zd bytes, expected %zu",
		     n, sizeof(req));
	else
		handle(c, fds, &nfds);
	if (send_rsp(fd, fds, nfds) != 0)
		conn_close(c);
}

static void
on_accept(void *arg, int fd, unsigned int events)
{
	struct listener *l = arg;
	struct conn *c;
	int cfd;

	while ((cfd = accept4(fd, NULL, NULL,
			      SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		c = calloc(1, sizeof(*c));
		if (c != NULL) {
			*c = (struct conn){ .next = conns, .xs = l->xs,
					    .d = l->d, .fd = cfd };
			if (loop_add_fd(l->xs->loop, cfd, EPOLLIN, on_conn,
					c) == 0) {
				conns = c;
				continue;
			}
		}
		fprintf(stderr, "xensim: dom%u: cannot take a hypervisor "
			"connection\n", l->d->domid);
		free(c);
		close(cfd);
	}
}

/*
 * d->dir/xenplat-sim.so: the client of this socket's protocol, from this
 * build. This process links it, so the dynamic loader knows where it is,
 * in the build tree or installed alike.
 */
static int
publish_client(const struct xsim_domain *d)
{
	char path[sizeof(d->dir) + sizeof(XSIM_CLIENT_MODULE)];
	char *module;
	Dl_info info;
	int rc = 0;

	if (dladdr((void *)xenplat_sim_open_v1, &info) == 0 ||
	    (module = realpath(info.dli_fname, NULL)) == NULL) {
		fprintf(stderr, "xensim: cannot locate the xenplat-sim "
			"module this process loaded\n");
		return -ENOENT;
	}
	snprintf(path, sizeof(path), "%s/" XSIM_CLIENT_MODULE, d->dir);
	if ((unlink(path) != 0 && errno != ENOENT) ||
	    symlink(module, path) != 0) {
		rc = -errno;
		fprintf(stderr, "xensim: cannot link %s to %s: %s\n", path,
			module, strerror(errno));
	}
	free(module);
	return rc;
}

int
hyp_server_listen(struct xsim *xs, struct xsim_domain *d,
		  const char *sock_path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct listener *l;
	int rc;

	if (d->domid >= XSIM_MAX_DOMAINS)
		return -EINVAL;
	if (strlen(sock_path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, sock_path);
	l = &listeners[d->domid];
	*l = (struct listener){ .xs = xs, .d = d };
	l->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       0);
	if (l->fd < 0)
		return -errno;
	if (bind(l->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(l->fd, 64) != 0) {
		rc = -errno;
		goto fail;
	}
	rc = publish_client(d);
	if (rc == 0)
		rc = loop_add_fd(xs->loop, l->fd, EPOLLIN, on_accept, l);
	if (rc == 0)
		return 0;
fail:
	close(l->fd);
	l->fd = -1;
	return rc;
}
