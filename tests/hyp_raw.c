/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <xen/xen.h>
#include <xen/grant_table.h>

#include "check.h"
#include "hyp_raw.h"

struct xsim_req raw_req;
struct xsim_rsp raw_rsp;
int raw_fds[2];
unsigned int raw_nfds;

int
raw_open(const char *run, unsigned int dom)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/dom%u/hypervisor",
		 run, dom);
	REQUIRE(fd >= 0 && connect(fd, (struct sockaddr *)&sa,
				   sizeof(sa)) == 0,
		"%s: %s", sa.sun_path, strerror(errno));
	return fd;
}

void
raw_send(int sock, const void *msg, size_t len)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(2 * sizeof(int))];
	} ctl;
	struct iovec iov = { .iov_base = &raw_rsp, .iov_len = sizeof(raw_rsp) };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *cm;

	memset(&raw_rsp, 0, sizeof(raw_rsp));
	raw_nfds = 0;
	REQUIRE(send(sock, msg, len, 0) == (ssize_t)len &&
		recvmsg(sock, &mh, MSG_CMSG_CLOEXEC) ==
		(ssize_t)sizeof(raw_rsp),
		"hypervisor request of %zu bytes: %s", len, strerror(errno));
	cm = CMSG_FIRSTHDR(&mh);
	if (cm != NULL && cm->cmsg_type == SCM_RIGHTS) {
		raw_nfds = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		memcpy(raw_fds, CMSG_DATA(cm), raw_nfds * sizeof(int));
	}
}

void
raw_rpc(int sock)
{
	raw_send(sock, &raw_req, sizeof(raw_req));
	memset(&raw_req, 0, sizeof(raw_req));
}

void
raw_close_fds(void)
{
	while (raw_nfds > 0)
		close(raw_fds[--raw_nfds]);
}

void
set_gref(uint32_t op, unsigned int dom, uint32_t ref, unsigned int off,
	 unsigned int len)
{
	raw_req.op = op;
	raw_req.u.gref.domid = (uint16_t)dom;
	raw_req.u.gref.ref = ref;
	raw_req.u.gref.off = off;
	raw_req.u.gref.len = len;
}

int16_t
copy_from(int sock, unsigned int dom, uint32_t ref, unsigned int off,
	  unsigned int len, void *dst)
{
	set_gref(XSIM_GNT_COPY_FROM, dom, ref, off, len);
	raw_rpc(sock);
	if (dst != NULL && raw_rsp.status == GNTST_okay)
		memcpy(dst, raw_rsp.u.data, len);
	return raw_rsp.status;
}

int16_t
copy_to(int sock, unsigned int dom, uint32_t ref, unsigned int off,
	unsigned int len, const void *src)
{
	set_gref(XSIM_GNT_COPY_TO, dom, ref, off, len);
	memcpy(raw_req.data, src, len);
	raw_rpc(sock);
	return raw_rsp.status;
}

bool
readable(int fd, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, timeout_ms) == 1;
}
