/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xensim's control socket, RUN_DIR/control: one command a connection, the
 * toolstack's operations on a running vif, answered with one line "ok ..."
 * or "error ..." once done:
 *   unplug D/H   as xl network-detach: the backend offline and Closing;
 *                once it closed (it follows the frontend), or after
 *                UNPLUG_WAIT_S as libxl's timeout, both directories go
 *   plug D/H     as xl network-attach of that vif again
 *   restart D/H  the backend's driver restarts: Closed, then InitWait
 *                once the frontend let go of its rings
 *   restore D/H  as xl save + xl restore of guest D (D/H: one of its
 *                vifs): a new domain with a fresh grant table (old refs
 *                grant nothing, though the guest still holds them) and
 *                none of its old event channels; the toolstack makes
 *                each of its plugged vifs anew (frontend Initialising,
 *                backend InitWait), all at once as a thawed guest finds
 *                it. On Xen the restored guest has a new domid, hence new
 *                backend paths; xensim cannot renumber a live domain and
 *                keeps D. A process that unbinds a port of before (Linux
 *                BUG()s) is refused and counted in status.json.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <xen/io/xenbus.h>

#include "control.h"
#include "evtchn.h"
#include "gnttab.h"
#include "loop.h"
#include "netback.h"
#include "toolstack.h"
#include "xs_store.h"
#include "xsim.h"

#define UNPLUG_WAIT_S	10
#define NR_HANDLES	256	/* a vif's handle is 0..255 */

/* An unplug waiting for its backend to close. */
struct unplug {
	struct xsim *xs;
	struct netback *nb;
	unsigned int domid, handle;
	int client;
	int timer;
	struct xs_iwatch *watch;
	struct timespec t0;
};

static struct {
	struct xsim *xs;
	int fd;
} ctl = { .fd = -1 };

static void
reply(int client, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	n = n < (int)sizeof(buf) - 1 ? n : (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(client, buf, n) != n)
		fprintf(stderr, "xensim: control: cannot answer\n");
	close(client);
}

static void
unplug_finish(struct unplug *u, bool forced)
{
	struct timespec t1;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - u->t0.tv_sec) * 1000 +
	     (t1.tv_nsec - u->t0.tv_nsec) / 1000000;
	xs_dom0_unwatch(u->xs->xs, u->watch);
	loop_del_fd(u->xs->loop, u->timer);
	close(u->timer);
	netback_unplug(u->nb);
	toolstack_remove_vif(u->xs, u->domid, u->handle);
	if (forced)
		reply(u->client, "ok unplugged %u/%u, forced: the backend did "
		      "not close within %d s", u->domid, u->handle,
		      UNPLUG_WAIT_S);
	else
		reply(u->client, "ok unplugged %u/%u: the backend closed in "
		      "%ld ms", u->domid, u->handle, ms);
	free(u);
}

static void
unplug_state(void *arg, const char *path)
{
	struct unplug *u = arg;

	if (netback_state(u->nb) == XenbusStateClosed)
		unplug_finish(u, false);
}

static void
unplug_timeout(void *arg, int fd, unsigned int events)
{
	unplug_finish(arg, true);
}

static void
unplug(int client, struct netback *nb, unsigned int domid,
       unsigned int handle)
{
	struct itimerspec its = { .it_value.tv_sec = UNPLUG_WAIT_S };
	struct unplug *u = calloc(1, sizeof(*u));
	char path[80];

	if (u == NULL || toolstack_detach_vif(ctl.xs, domid, handle) != 0) {
		free(u);
		reply(client, "error unplug %u/%u: not plugged", domid,
		      handle);
		return;
	}
	*u = (struct unplug){ .xs = ctl.xs, .nb = nb, .domid = domid,
			      .handle = handle, .client = client };
	clock_gettime(CLOCK_MONOTONIC, &u->t0);
	u->timer = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	snprintf(path, sizeof(path), "/local/domain/0/backend/vif/%u/%u/state",
		 domid, handle);
	if (u->timer < 0 || timerfd_settime(u->timer, 0, &its, NULL) != 0 ||
	    loop_add_fd(ctl.xs->loop, u->timer, EPOLLIN, unplug_timeout,
			u) != 0) {
		reply(client, "error unplug %u/%u: no timer", domid, handle);
		if (u->timer >= 0)
			close(u->timer);
		free(u);
		return;
	}
	/* Fires once at once: a backend already Closed finishes it. */
	u->watch = xs_dom0_watch(ctl.xs->xs, path, unplug_state, u);
}

/*
 * The grant table and the ports are the domain's, not the vif's: every
 * backend of the domain lets go of them first, and every vif that was
 * plugged comes back.
 */
static void
restore(int client, unsigned int domid, unsigned int handle)
{
	struct xsim_domain *d = xsim_domain(ctl.xs, domid);
	unsigned int h, hs[NR_HANDLES], n = 0, i;
	struct netback *nb;
	int rc = 0;

	for (h = 0; h < NR_HANDLES; h++) {
		nb = netback_find(domid, h);
		if (nb != NULL && netback_plugged(nb)) {
			netback_unplug(nb);
			hs[n++] = h;
		}
	}
	gnttab_forget(d->gnttab);
	evtchn_close_domain(ctl.xs->evtchn, domid);
	d->incarnation++;
	for (i = 0; i < n && rc == 0; i++) {
		toolstack_remove_vif(ctl.xs, domid, hs[i]);
		rc = toolstack_add_vif(ctl.xs, domid, hs[i]);
		if (rc == 0)
			rc = netback_plug(netback_find(domid, hs[i]));
	}
	if (rc != 0)
		reply(client, "error restore %u/%u: vif %u/%u not back",
		      domid, handle, domid, hs[i - 1]);
	else
		reply(client, "ok restored %u/%u: a new dom%u, old grants and "
		      "ports void, %u vif%s back", domid, handle, domid, n,
		      n == 1 ? "" : "s");
}

static void
command(int client, const char *line)
{
	char op[16];
	unsigned int domid, handle;
	struct netback *nb;
	int rc;

	if (sscanf(line, "%15s %u/%u", op, &domid, &handle) != 3) {
		reply(client, "error: expected "
		      "'unplug|plug|restart|restore D/H'");
		return;
	}
	nb = netback_find(domid, handle);
	if (nb == NULL) {
		reply(client, "error: no vif %u/%u", domid, handle);
		return;
	}
	if (strcmp(op, "unplug") == 0) {
		unplug(client, nb, domid, handle);
		return;
	}
	if (strcmp(op, "plug") == 0) {
		rc = toolstack_add_vif(ctl.xs, domid, handle);
		if (rc == 0)
			rc = netback_plug(nb);
		reply(client, rc == 0 ? "ok plugged %u/%u" :
		      "error plug %u/%u failed", domid, handle);
		return;
	}
	if (strcmp(op, "restart") == 0) {
		netback_restart(nb);
		reply(client, "ok restarted %u/%u: Closed, InitWait once the "
		      "frontend let go", domid, handle);
		return;
	}
	if (strcmp(op, "restore") == 0) {
		restore(client, domid, handle);
		return;
	}
	reply(client, "error: unknown command '%s'", op);
}

static void
on_accept(void *arg, int fd, unsigned int events)
{
	char line[128];
	int client;
	ssize_t n;

	client = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
	if (client < 0)
		return;
	/* One short line; a client that sends nothing in 1 s is dropped. */
	setsockopt(client, SOL_SOCKET, SO_RCVTIMEO,
		   &(struct timeval){ .tv_sec = 1 }, sizeof(struct timeval));
	n = read(client, line, sizeof(line) - 1);
	if (n <= 0) {
		close(client);
		return;
	}
	line[n] = '\0';
	command(client, line);
}

int
control_listen(struct xsim *xs, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	ctl.xs = xs;
	ctl.fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ctl.fd < 0 || bind(ctl.fd, (struct sockaddr *)&sa,
			       sizeof(sa)) != 0 ||
	    listen(ctl.fd, 4) != 0 ||
	    loop_add_fd(xs->loop, ctl.fd, EPOLLIN, on_accept, NULL) != 0)
		return -1;
	return 0;
}

void
control_close(void)
{
	if (ctl.fd < 0)
		return;
	loop_del_fd(ctl.xs->loop, ctl.fd);
	close(ctl.fd);
	ctl.fd = -1;
}

int
control_send(const char *path, const char *cmd)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[256];
	ssize_t n;
	int fd;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		fprintf(stderr, "xensim: cannot reach %s: %s\n", path,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return 1;
	}
	n = (ssize_t)strlen(cmd);
	if (write(fd, cmd, n) != n) {
		close(fd);
		return 1;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0) {
		fprintf(stderr, "xensim: no answer from %s\n", path);
		return 1;
	}
	buf[n] = '\0';
	fputs(buf, stdout);
	return strncmp(buf, "ok", 2) == 0 ? 0 : 1;
}
