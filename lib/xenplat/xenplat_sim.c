/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xensim: grants and event channels through the domain directory's
 * hypervisor socket (xensim_proto.h). Shared pages arrive as a memfd,
 * event channels as two eventfds; notify and wait touch only the eventfds.
 * Built as a module of its own, which xensim publishes in its run directory
 * and lib/xenplat loads (xenplat_ops.h): the PMD carries none of this.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "xenplat_ops.h"
#include "xensim_proto.h"

/* A mapping from xenplat_share(), found again by xenplat_unshare(). */
struct region {
	struct region *next;
	void *addr;
	unsigned int count;
	uint64_t handle;
};

struct xp_sim {
	struct xenplat base;
	int sock;
	struct region *regions;
	/* One call at a time: xenplat.h keeps these to setup paths. */
	struct xsim_req req;
	struct xsim_rsp rsp;
};

struct xp_sim_evtchn {
	struct xenplat_evtchn base;	/* base.fd: the wait eventfd */
	int notify_fd;
};

static void
close_fds(const int *fds, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		close(fds[i]);
}

/*
 * Send s->req, receive s->rsp and exactly nfds fds when it succeeds.
 * Returns rsp.rc, or -errno when xensim cannot be reached; the message
 * is left in the handle either way.
 */
static int
rpc(struct xp_sim *s, int *fds, unsigned int nfds)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(2 * sizeof(int))];
	} ctl;
	struct iovec iov = { .iov_base = &s->rsp, .iov_len = sizeof(s->rsp) };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *cm;
	unsigned int got = 0;
	int in[2];
	ssize_t n;

	if (send(s->sock, &s->req, sizeof(s->req), MSG_NOSIGNAL) !=
	    (ssize_t)sizeof(s->req))
		return xenplat_err(&s->base, -errno, "xensim: %s",
				   strerror(errno));
	do
		n = recvmsg(s->sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return xenplat_err(&s->base, -errno, "xensim: %s",
				   strerror(errno));
	for (cm = CMSG_FIRSTHDR(&mh); cm != NULL; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_level == SOL_SOCKET &&
		    cm->cmsg_type == SCM_RIGHTS) {
			got = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			memcpy(in, CMSG_DATA(cm), got * sizeof(int));
		}
	if (n == 0)
		return xenplat_err(&s->base, -ECONNRESET,
				   "xensim went away");
	if (n != (ssize_t)sizeof(s->rsp) || (mh.msg_flags & MSG_CTRUNC) ||
	    got != s->rsp.nr_fds || (s->rsp.rc == 0 && got != nfds)) {
		close_fds(in, got);
		return xenplat_err(&s->base, -EPROTO, "xensim: malformed "
				   "reply (%zd bytes, %u fds): a different "
				   "xensim version?", n, got);
	}
	if (s->rsp.rc != 0) {
		close_fds(in, got);
		s->rsp.msg[sizeof(s->rsp.msg) - 1] = '\0';
		return xenplat_err(&s->base, s->rsp.rc, "xensim: %s",
				   s->rsp.msg);
	}
	if (got > 0)
		memcpy(fds, in, got * sizeof(int));
	return 0;
}

static void
sim_close(struct xenplat *xp)
{
	struct xp_sim *s = (struct xp_sim *)xp;

	/* Closing the socket ends every grant and port, like an exit. */
	close(s->sock);
	while (s->regions != NULL) {
		struct region *r = s->regions;

		s->regions = r->next;
		munmap(r->addr, (size_t)r->count * XSIM_PAGE_SIZE);
		free(r);
	}
	free(s);
}

static void *
sim_share(struct xenplat *xp, uint16_t domid, unsigned int count,
	  bool writable, uint32_t *refs)
{
	struct xp_sim *s = (struct xp_sim *)xp;
	size_t size = (size_t)count * XSIM_PAGE_SIZE;
	struct region *r;
	int memfd, rc;

	if (count > XSIM_SHARE_MAX) {
		errno = EINVAL;
		xenplat_err(xp, -EINVAL, "xensim: share %u pages at most at "
			    "a time, not %u", XSIM_SHARE_MAX, count);
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		xenplat_err(xp, -ENOMEM, "out of memory");
		return NULL;
	}
	memset(&s->req, 0, sizeof(s->req));
	s->req.op = XSIM_GNT_SHARE;
	s->req.u.share.grantee = domid;
	s->req.u.share.writable = writable;
	s->req.u.share.count = count;
	rc = rpc(s, &memfd, 1);
	if (rc != 0) {
		free(r);
		errno = -rc;
		return NULL;
	}
	r->handle = s->rsp.handle;
	r->count = count;
	r->addr = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, memfd,
		       0);
	rc = errno;
	close(memfd);
	if (r->addr == MAP_FAILED) {
		s->req.op = XSIM_GNT_UNSHARE;
		s->req.u.unshare.handle = r->handle;
		rpc(s, NULL, 0);
		free(r);
		xenplat_err(xp, -rc, "xensim: cannot map %u shared pages: %s",
			    count, strerror(rc));
		errno = rc;
		return NULL;
	}
	memcpy(refs, s->rsp.u.refs, count * sizeof(refs[0]));
	r->next = s->regions;
	s->regions = r;
	return r->addr;
}

static int
sim_unshare(struct xenplat *xp, void *addr, unsigned int count)
{
	struct xp_sim *s = (struct xp_sim *)xp;
	struct region **pr, *r;
	int rc;

	for (pr = &s->regions; *pr != NULL; pr = &(*pr)->next)
		if ((*pr)->addr == addr && (*pr)->count == count)
			break;
	if (*pr == NULL)
		return xenplat_err(xp, -EINVAL, "unshare: %p (%u pages) is "
				   "not a region from xenplat_share()", addr,
				   count);
	r = *pr;
	memset(&s->req, 0, sizeof(s->req));
	s->req.op = XSIM_GNT_UNSHARE;
	s->req.u.unshare.handle = r->handle;
	rc = rpc(s, NULL, 0);
	/* Ended or deferred by xensim: either way the region is gone here. */
	*pr = r->next;
	munmap(r->addr, (size_t)r->count * XSIM_PAGE_SIZE);
	free(r);
	return rc;
}

static struct xenplat_evtchn *
sim_evtchn_alloc(struct xenplat *xp, uint16_t remote)
{
	struct xp_sim *s = (struct xp_sim *)xp;
	struct xp_sim_evtchn *ch = calloc(1, sizeof(*ch));
	int fds[2];

	if (ch == NULL) {
		xenplat_err(xp, -ENOMEM, "out of memory");
		return NULL;
	}
	memset(&s->req, 0, sizeof(s->req));
	s->req.op = XSIM_EVTCHN_ALLOC_UNBOUND;
	s->req.u.evtchn.remote = remote;
	if (rpc(s, fds, 2) != 0) {
		free(ch);
		return NULL;
	}
	ch->base.xp = xp;
	ch->base.port = s->rsp.port;
	ch->base.fd = fds[0];
	ch->notify_fd = fds[1];
	return &ch->base;
}

static void
sim_evtchn_free(struct xenplat_evtchn *base)
{
	struct xp_sim_evtchn *ch = (struct xp_sim_evtchn *)base;
	struct xp_sim *s = (struct xp_sim *)base->xp;

	memset(&s->req, 0, sizeof(s->req));
	s->req.op = XSIM_EVTCHN_CLOSE;
	s->req.u.evtchn.port = base->port;
	rpc(s, NULL, 0);
	close(base->fd);
	close(ch->notify_fd);
	free(ch);
}

/* xensim keeps the record, as Linux keeps the binding, until we exit. */
static void
sim_evtchn_abandon(struct xenplat_evtchn *base)
{
	struct xp_sim_evtchn *ch = (struct xp_sim_evtchn *)base;

	close(base->fd);
	close(ch->notify_fd);
	free(ch);
}

static int
sim_evtchn_notify(struct xenplat_evtchn *base)
{
	struct xp_sim_evtchn *ch = (struct xp_sim_evtchn *)base;
	uint64_t one = 1;

	/* EAGAIN: the counter is saturated, the port is pending anyway. */
	if (write(ch->notify_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		return -errno;
	return 0;
}

/* The eventfd counter is the pending bit: reading it clears it. */
static int
sim_evtchn_consume(struct xenplat_evtchn *base)
{
	uint64_t n;

	if (read(base->fd, &n, sizeof(n)) == (ssize_t)sizeof(n))
		return 1;
	return errno == EAGAIN ? 0 : -errno;
}

/* xensim's --gntalloc-limit, for this guest domain. */
static unsigned int
sim_grant_limit(struct xenplat *xp)
{
	struct xp_sim *s = (struct xp_sim *)xp;

	memset(&s->req, 0, sizeof(s->req));
	s->req.op = XSIM_GNT_LIMIT;
	return rpc(s, NULL, 0) == 0 ? s->rsp.limit : 0;
}

static const struct xenplat_ops sim_ops = {
	.name = "xensim",
	.close = sim_close,
	.share = sim_share,
	.unshare = sim_unshare,
	.grant_limit = sim_grant_limit,
	.evtchn_alloc = sim_evtchn_alloc,
	.evtchn_free = sim_evtchn_free,
	.evtchn_abandon = sim_evtchn_abandon,
	.evtchn_notify = sim_evtchn_notify,
	.evtchn_consume = sim_evtchn_consume,
};

struct xenplat *
xenplat_sim_open_v1(const char *dir, char *err, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct xp_sim *s;

	if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/hypervisor",
			     dir) >= sizeof(sa.sun_path)) {
		snprintf(err, len, "xensim directory path too long: %s", dir);
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		snprintf(err, len, "out of memory");
		return NULL;
	}
	snprintf(s->base.xs_path, sizeof(s->base.xs_path), "%s/xenstored",
		 dir);
	s->base.ops = &sim_ops;
	s->sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s->sock < 0 ||
	    connect(s->sock, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		snprintf(err, len, "cannot reach xensim at %s: %s (is xensim "
			 "serving %s?)", sa.sun_path, strerror(errno), dir);
		if (s->sock >= 0)
			close(s->sock);
		free(s);
		return NULL;
	}
	return &s->base;
}
