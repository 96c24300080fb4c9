/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "simfront.h"

struct xenplat *xp;
struct xs_handle *xsh;
int failures;
static char run_dir[] = "/tmp/simfront.XXXXXX";
static pid_t xensim_pid = -1;
static char log_path[sizeof(run_dir) + 64];

const char *
sim_run_dir(void)
{
	return run_dir;
}

bool
stop_xensim(void)
{
	int st;

	if (xensim_pid <= 0)
		return true;
	kill(xensim_pid, SIGTERM);
	waitpid(xensim_pid, &st, 0);
	xensim_pid = -1;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return true;
	fprintf(stderr, "FAIL: xensim exit status %#x\n", st);
	failures++;
	return false;
}

/* Also run at exit, so that a failed REQUIRE leaves no xensim behind. */
static void
cleanup(void)
{
	static bool done;
	char cmd[sizeof(log_path) + 16];

	if (done)
		return;
	done = true;
	if (xsh != NULL)
		xs_close(xsh);
	xsh = NULL;
	if (xp != NULL)
		xenplat_close(xp);
	xp = NULL;
	stop_xensim();
	/* What xensim said is the first thing to read after a failure. */
	if (failures && log_path[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "cat %s >&2", log_path);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot show %s\n", log_path);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", run_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", run_dir);
}

void
finish(void)
{
	cleanup();
	printf("%s\n", failures ? "FAILED" : "PASSED");
	exit(failures ? 1 : 0);
}

long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
sleep_ms(int ms)
{
	nanosleep(&(struct timespec){ .tv_sec = ms / 1000,
				     .tv_nsec = ms % 1000 * 1000000L }, NULL);
}

char *
xread(const char *fmt, ...)
{
	char path[256];
	unsigned int len;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	return xs_read(xsh, XBT_NULL, path, &len);
}

void
xwrite(const char *path, const char *fmt, ...)
{
	char val[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	REQUIRE(xs_write(xsh, XBT_NULL, path, val, strlen(val)),
		"write %s: %s", path, strerror(errno));
}

int
be_state(unsigned int h)
{
	char *v = xread("/local/domain/0/backend/vif/1/%u/state", h);
	int s = v ? atoi(v) : -1;

	free(v);
	return s;
}

bool
wait_be_state(unsigned int h, int state)
{
	long end = now_ms() + WAIT_MS;

	while (be_state(h) != state) {
		if (now_ms() > end)
			return false;
		sleep_ms(5);
	}
	return true;
}

static void
fe_write_queue(struct fe *fe, unsigned int i, bool split)
{
	struct fq *q = &fe->q[i];
	char dir[96], path[160];
	unsigned int j;

	if (fe->nq > 1)
		snprintf(dir, sizeof(dir), "device/vif/%u/queue-%u",
			 fe->handle, i);
	else
		snprintf(dir, sizeof(dir), "device/vif/%u", fe->handle);
	q->txs = xenplat_share(xp, 0, 1, true, &q->tx_ref);
	q->rxs = xenplat_share(xp, 0, 1, true, &q->rx_ref);
	q->txbuf = xenplat_share(xp, 0, NR_BUFS, false, q->txrefs);
	q->rxbuf = xenplat_share(xp, 0, NR_BUFS, true, q->rxrefs);
	REQUIRE(q->txs && q->rxs && q->txbuf && q->rxbuf, "share: %s",
		xenplat_strerror(xp));
	SHARED_RING_INIT(q->txs);
	SHARED_RING_INIT(q->rxs);
	FRONT_RING_INIT(&q->tx, q->txs, PAGE);
	FRONT_RING_INIT(&q->rx, q->rxs, PAGE);
	memset(q->tx_busy, 0, sizeof(q->tx_busy));
	q->ev[0] = xenplat_evtchn_alloc(xp, 0);
	q->ev[1] = split ? xenplat_evtchn_alloc(xp, 0) : NULL;
	REQUIRE(q->ev[0] && (!split || q->ev[1]), "evtchn: %s",
		xenplat_strerror(xp));
	snprintf(path, sizeof(path), "%s/tx-ring-ref", dir);
	xwrite(path, "%u", q->tx_ref);
	snprintf(path, sizeof(path), "%s/rx-ring-ref", dir);
	xwrite(path, "%u", q->rx_ref);
	if (split) {
		snprintf(path, sizeof(path), "%s/event-channel-tx", dir);
		xwrite(path, "%u", xenplat_evtchn_port(q->ev[0]));
		snprintf(path, sizeof(path), "%s/event-channel-rx", dir);
		xwrite(path, "%u", xenplat_evtchn_port(q->ev[1]));
	} else {
		snprintf(path, sizeof(path), "%s/event-channel", dir);
		xwrite(path, "%u", xenplat_evtchn_port(q->ev[0]));
	}
	/* Every RX page posted, id = index (not the grant ref). */
	for (j = 0; j < NR_BUFS; j++) {
		netif_rx_request_t *req = RING_GET_REQUEST(&q->rx,
							   q->rx.req_prod_pvt);

		req->id = (uint16_t)j;
		req->gref = q->rxrefs[j];
		q->rx.req_prod_pvt++;
	}
	RING_PUSH_REQUESTS(&q->rx);
}

void
fe_connect(struct fe *fe, bool split, int rx_copy)
{
	char path[96];
	unsigned int i;

	for (i = 0; i < fe->nq; i++)
		fe_write_queue(fe, i, split);
#define FE_KEY(k, ...) do {						\
	snprintf(path, sizeof(path), "device/vif/%u/" k, fe->handle);	\
	xwrite(path, __VA_ARGS__);					\
} while (0)
	/* Always, as netfront does once the backend offers queues. */
	FE_KEY("multi-queue-num-queues", "%u", fe->nq);
	FE_KEY("request-rx-copy", "%d", rx_copy);
	FE_KEY("feature-rx-notify", "1");
	FE_KEY("feature-sg", "%d", !fe->no_sg);
	FE_KEY("xdp-headroom", "%u", fe->headroom);
	FE_KEY("state", "%d", XenbusStateConnected);
#undef FE_KEY
}

void
fe_state(struct fe *fe, int state)
{
	char path[64];

	snprintf(path, sizeof(path), "device/vif/%u/state", fe->handle);
	xwrite(path, "%d", state);
}

void
fe_release(struct fe *fe)
{
	unsigned int i;

	for (i = 0; i < fe->nq; i++) {
		struct fq *q = &fe->q[i];

		/* The backend let go of everything before it got Closed. */
		CHECK(xenplat_unshare(xp, q->txs, 1) == 0, "ring in use");
		CHECK(xenplat_unshare(xp, q->rxs, 1) == 0, "ring in use");
		CHECK(xenplat_unshare(xp, q->txbuf, NR_BUFS) == 0,
		      "TX buffers in use");
		CHECK(xenplat_unshare(xp, q->rxbuf, NR_BUFS) == 0,
		      "RX buffers in use");
		xenplat_evtchn_free(q->ev[0]);
		if (q->ev[1] != NULL)
			xenplat_evtchn_free(q->ev[1]);
	}
}

void
start_xensim(const char *bin, const char *const *args, const char *log)
{
	char ready[64], dom[64], err[256];
	long end;

	REQUIRE(mkdtemp(run_dir) != NULL, "mkdtemp: %s", strerror(errno));
	atexit(cleanup);
	fflush(NULL);
	xensim_pid = fork();
	REQUIRE(xensim_pid >= 0, "fork: %s", strerror(errno));
	if (log != NULL)
		snprintf(log_path, sizeof(log_path), "%s/%s", run_dir, log);
	if (xensim_pid == 0) {
		const char *argv[64] = { bin, run_dir };
		unsigned int n = 2;
		int fd;

		while (*args != NULL && n < 63)
			argv[n++] = *args++;
		fd = log ? open(log_path, O_WRONLY | O_CREAT | O_TRUNC |
				O_CLOEXEC, 0644) : -1;
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		execv(bin, (char *const *)argv);
		perror("exec xensim");
		_exit(127);
	}
	snprintf(ready, sizeof(ready), "%s/ready", run_dir);
	end = now_ms() + WAIT_MS;
	while (access(ready, F_OK) != 0) {
		int st;

		REQUIRE(waitpid(xensim_pid, &st, WNOHANG) == 0,
			"xensim exited early (%#x)", st);
		REQUIRE(now_ms() < end, "xensim not ready");
		sleep_ms(10);
	}
	snprintf(dom, sizeof(dom), "%s/dom1", run_dir);
	xp = xenplat_open(dom, err, sizeof(err));
	REQUIRE(xp != NULL, "xenplat_open: %s", err);
	xsh = xenplat_xs_open(xp);
	REQUIRE(xsh != NULL, "xenstore: %s", xenplat_strerror(xp));
}

struct xenplat_evtchn *
fq_rx_ev(struct fq *q)
{
	return q->ev[q->ev[1] ? 1 : 0];
}
