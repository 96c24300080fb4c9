/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xensim's xenstored through the real libxenstore and raw sockets: domain
 * paths, relative paths, permissions, transactions, watches, malformed and
 * abandoned connections. The server runs on its own thread in this process,
 * with dom0, guests 1 and 2 and vif 1/0 as the toolstack makes them.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <xenstore.h>

#include "check.h"
#include "loop.h"
#include "toolstack.h"
#include "xs_store.h"
#include "xsim.h"

#define GUESTS		2
#define WAIT_MS		2000
#define MANY		64

int failures;

static struct {
	char dir[64];
	struct xsim xs;
	pthread_t thread;
} srv;

static void *
serve(void *arg)
{
	loop_run(srv.xs.loop);
	return NULL;
}

static void
sock_path(char *buf, size_t len, unsigned int domid)
{
	snprintf(buf, len, "%s/dom%u/xenstored", srv.dir, domid);
}

static void
server_start(void)
{
	char path[128];
	unsigned int d;

	snprintf(srv.dir, sizeof(srv.dir), "/tmp/xs_wire.XXXXXX");
	REQUIRE(mkdtemp(srv.dir) != NULL);
	srv.xs.run_dir = srv.dir;
	srv.xs.loop = loop_create();
	REQUIRE(srv.xs.loop != NULL);
	srv.xs.xs = xs_store_create(srv.xs.loop);
	REQUIRE(srv.xs.xs != NULL);
	srv.xs.nr_domains = GUESTS + 1;
	for (d = 0; d <= GUESTS; d++) {
		snprintf(path, sizeof(path), "%s/dom%u", srv.dir, d);
		REQUIRE(mkdir(path, 0700) == 0);
		REQUIRE(toolstack_add_domain(&srv.xs, d, d ? "guest" :
					     "Domain-0") == 0);
		sock_path(path, sizeof(path), d);
		REQUIRE(xs_server_listen(srv.xs.xs, path, d) == 0);
	}
	REQUIRE(toolstack_add_vif(&srv.xs, 1, 0) == 0);
	/* Bad input is refused with a message, not a crash. */
	CHECK(xs_server_listen(srv.xs.xs, path, 1) != 0);
	CHECK(toolstack_add_vif(&srv.xs, 0, 0) != 0);
	REQUIRE(pthread_create(&srv.thread, NULL, serve, NULL) == 0);
}

static void
server_stop(void)
{
	char path[128];
	unsigned int d;

	/* loop_create blocked SIGTERM; the loop's signalfd takes it. */
	CHECK(pthread_kill(srv.thread, SIGTERM) == 0);
	CHECK(pthread_join(srv.thread, NULL) == 0);
	xs_store_destroy(srv.xs.xs);
	loop_destroy(srv.xs.loop);
	for (d = 0; d <= GUESTS; d++) {
		sock_path(path, sizeof(path), d);
		unlink(path);
		*strrchr(path, '/') = '\0';
		rmdir(path);
	}
	rmdir(srv.dir);
}

static struct xs_handle *
open_as(unsigned int domid)
{
	char path[128];
	struct xs_handle *h;

	sock_path(path, sizeof(path), domid);
	setenv("XENSTORED_PATH", path, 1);
	h = xs_open(XS_OPEN_SOCKETONLY);
	REQUIRE(h != NULL);
	return h;
}

static bool
reads(struct xs_handle *h, xs_transaction_t t, const char *path,
      const char *want)
{
	unsigned int len;
	char *v = xs_read(h, t, path, &len);
	bool ok = v != NULL && strcmp(v, want) == 0;

	free(v);
	return ok;
}

static bool
wr(struct xs_handle *h, xs_transaction_t t, const char *path,
   const char *val)
{
	return xs_write(h, t, path, val, (unsigned int)strlen(val));
}

static bool
fails(void *p, int err)
{
	bool ok = p == NULL && errno == err;

	free(p);
	return ok;
}

static long
ms_left(const struct timespec *end)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (end->tv_sec - now.tv_sec) * 1000 +
	       (end->tv_nsec - now.tv_nsec) / 1000000;
}

/* The next watch event within ms, or NULL. */
static char **
next_event(struct xs_handle *h, int ms)
{
	struct pollfd pfd = { .fd = xs_fileno(h), .events = POLLIN };
	struct timespec end;
	char **v;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += ms / 1000;
	end.tv_nsec += (ms % 1000) * 1000000L;
	while ((v = xs_check_watch(h)) == NULL) {
		long left = ms_left(&end);

		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
			return NULL;
	}
	return v;
}

static bool
event_is(struct xs_handle *h, const char *path, const char *token)
{
	char **v = next_event(h, WAIT_MS);
	bool ok = v != NULL && strcmp(v[XS_WATCH_PATH], path) == 0 &&
		  strcmp(v[XS_WATCH_TOKEN], token) == 0;

	if (v != NULL && !ok)
		fprintf(stderr, "event %s/%s, expected %s/%s\n",
			v[XS_WATCH_PATH], v[XS_WATCH_TOKEN], path, token);
	free(v);
	return ok;
}

static void
test_paths(struct xs_handle *h0, struct xs_handle *h1)
{
	unsigned int n;
	char *s, **dir;

	s = xs_get_domain_path(h1, 1);
	CHECK(s != NULL && strcmp(s, "/local/domain/1") == 0);
	free(s);
	s = xs_get_domain_path(h1, 5);
	CHECK(s != NULL && strcmp(s, "/local/domain/5") == 0);
	free(s);
	CHECK(reads(h1, XBT_NULL, "name", "guest"));
	CHECK(reads(h1, XBT_NULL, "domid", "1"));
	CHECK(wr(h1, XBT_NULL, "data/rel", "v"));
	CHECK(reads(h0, XBT_NULL, "/local/domain/1/data/rel", "v"));
	CHECK(reads(h0, XBT_NULL, "domid", "0"));
	dir = xs_directory(h1, XBT_NULL, "device/vif/0", &n);
	REQUIRE(dir != NULL && n == 7);
	CHECK(strcmp(dir[0], "backend") == 0 && strcmp(dir[5], "state") == 0 &&
	      strcmp(dir[6], "mtu") == 0);
	free(dir);
	CHECK(reads(h1, XBT_NULL, "device/vif/0/backend",
		    "/local/domain/0/backend/vif/1/0"));
	CHECK(reads(h1, XBT_NULL, "/local/domain/0/backend/vif/1/0/mac",
		    "00:16:3e:00:01:00"));
	CHECK(xs_mkdir(h1, XBT_NULL, "data/empty"));
	CHECK(reads(h1, XBT_NULL, "data/empty", ""));
	CHECK(xs_rm(h1, XBT_NULL, "data/empty"));
	CHECK(fails(xs_read(h1, XBT_NULL, "data/empty", &n), ENOENT));
	CHECK(!xs_write(h1, XBT_NULL, "data/bad path", "x", 1) &&
	      errno == EINVAL);
}

static void
test_perms(struct xs_handle *h0, struct xs_handle *h1, struct xs_handle *h2)
{
	struct xs_permissions r2[] = {
		{ .id = 1, .perms = XS_PERM_NONE },
		{ .id = 2, .perms = XS_PERM_READ },
	};
	struct xs_permissions *p;
	unsigned int n;

	CHECK(fails(xs_read(h1, XBT_NULL, "/local/domain/2/name", &n),
		    EACCES));
	CHECK(fails(xs_read(h2, XBT_NULL, "/local/domain/1/device/vif/0/mac",
			    &n), EACCES));
	CHECK(fails(xs_directory(h1, XBT_NULL, "/local/domain/0", &n),
		    EACCES));
	CHECK(!wr(h1, XBT_NULL, "/local/domain/0/backend/vif/1/0/state",
		  "4") && errno == EACCES);
	CHECK(!wr(h1, XBT_NULL, "name", "evil") && errno == EACCES);
	CHECK(reads(h1, XBT_NULL, "/local/domain/0/backend/vif/1/0/state",
		    "1"));
	CHECK(wr(h1, XBT_NULL, "device/vif/0/state", "2"));
	p = xs_get_permissions(h1, XBT_NULL, "device/vif/0", &n);
	CHECK(p != NULL && n == 2 && p[0].id == 1 &&
	      p[0].perms == XS_PERM_NONE && p[1].id == 0 &&
	      p[1].perms == XS_PERM_READ);
	free(p);
	CHECK(wr(h1, XBT_NULL, "data/shared", "s"));
	CHECK(fails(xs_read(h2, XBT_NULL, "/local/domain/1/data/shared", &n),
		    EACCES));
	CHECK(xs_set_permissions(h1, XBT_NULL, "data/shared", r2, 2));
	CHECK(reads(h2, XBT_NULL, "/local/domain/1/data/shared", "s"));
	CHECK(!wr(h2, XBT_NULL, "/local/domain/1/data/shared", "x") &&
	      errno == EACCES);
	CHECK(!xs_set_permissions(h2, XBT_NULL, "/local/domain/1/data/shared",
				  r2, 1) && errno == EACCES);
	CHECK(xs_set_permissions(h0, XBT_NULL, "/local/domain/1/data/shared",
				 &r2[1], 1));
	CHECK(wr(h2, XBT_NULL, "/local/domain/1/data/shared", "mine"));
}

static void
test_transactions(struct xs_handle *h0, struct xs_handle *h1,
		  struct xs_handle *h2)
{
	xs_transaction_t t;
	unsigned int n;

	CHECK(wr(h1, XBT_NULL, "data/c", "1"));
	t = xs_transaction_start(h1);
	REQUIRE(t != XBT_NULL);
	CHECK(reads(h1, t, "data/c", "1"));
	CHECK(wr(h0, XBT_NULL, "/local/domain/1/data/c", "2"));
	CHECK(reads(h1, t, "data/c", "1"));
	CHECK(wr(h1, t, "data/d", "x"));
	CHECK(fails(xs_read(h1, XBT_NULL, "data/d", &n), ENOENT));
	CHECK(!xs_transaction_end(h1, t, false) && errno == EAGAIN);
	CHECK(fails(xs_read(h1, XBT_NULL, "data/d", &n), ENOENT));

	t = xs_transaction_start(h1);
	REQUIRE(t != XBT_NULL);
	CHECK(reads(h1, t, "data/c", "2"));
	CHECK(wr(h1, t, "data/d", "x"));
	CHECK(wr(h2, XBT_NULL, "data/z", "z"));
	CHECK(xs_transaction_end(h1, t, false));
	CHECK(reads(h1, XBT_NULL, "data/d", "x"));

	t = xs_transaction_start(h1);
	CHECK(wr(h1, t, "data/aborted", "x"));
	CHECK(xs_transaction_end(h1, t, true));
	CHECK(fails(xs_read(h1, XBT_NULL, "data/aborted", &n), ENOENT));
	CHECK(fails(xs_read(h1, 999, "data/c", &n), ENOENT));
}

static void
test_watches(struct xs_handle *h0, struct xs_handle *h1,
	     struct xs_handle *h2)
{
	xs_transaction_t t;
	char **v;

	CHECK(xs_watch(h1, "data/w", "rel"));
	CHECK(event_is(h1, "data/w", "rel"));
	CHECK(xs_watch(h2, "/local/domain/1/data/w", "abs"));
	CHECK(event_is(h2, "/local/domain/1/data/w", "abs"));
	CHECK(xs_watch(h0, "@introduceDomain", "intro"));
	CHECK(event_is(h0, "@introduceDomain", "intro"));

	CHECK(wr(h0, XBT_NULL, "/local/domain/1/data/w/x", "1"));
	CHECK(event_is(h1, "data/w/x", "rel"));
	/* Guest 2 may not read the node: no event for it. */
	v = next_event(h2, 300);
	CHECK(v == NULL);

	t = xs_transaction_start(h1);
	CHECK(wr(h1, t, "data/w/y", "1"));
	CHECK(next_event(h1, 200) == NULL);
	CHECK(xs_transaction_end(h1, t, false));
	CHECK(event_is(h1, "data/w/y", "rel"));

	CHECK(xs_rm(h1, XBT_NULL, "data/w"));
	CHECK(event_is(h1, "data/w", "rel"));
	CHECK(xs_unwatch(h1, "data/w", "rel"));
	CHECK(wr(h1, XBT_NULL, "data/w", "again"));
	CHECK(next_event(h1, 200) == NULL);
	CHECK(!xs_unwatch(h1, "data/w", "rel") && errno == ENOENT);
}

static int
raw_open(unsigned int domid)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	sock_path(sa.sun_path, sizeof(sa.sun_path), domid);
	REQUIRE(fd >= 0 &&
		connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	return fd;
}

/* Send a message, its bytes split in chunks of step (0: at once). */
static void
raw_send(int fd, uint32_t type, uint32_t req, const void *data,
	 uint32_t len, uint32_t step)
{
	char buf[sizeof(struct xsd_sockmsg) + 64];
	struct xsd_sockmsg h = { .type = type, .req_id = req, .len = len };
	size_t total = sizeof(h) + (len < 64 ? len : 0), off;

	memcpy(buf, &h, sizeof(h));
	if (total > sizeof(h))
		memcpy(buf + sizeof(h), data, total - sizeof(h));
	for (off = 0; off < total; ) {
		size_t n = step ? step : total;

		if (n > total - off)
			n = total - off;
		CHECK(write(fd, buf + off, n) == (ssize_t)n);
		off += n;
		if (step)
			usleep(1000);
	}
}

static bool
raw_read_all(int fd, void *buf, size_t len)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	size_t got = 0;

	while (got < len) {
		ssize_t n;

		if (poll(&pfd, 1, WAIT_MS) <= 0)
			return false;
		n = read(fd, (char *)buf + got, len - got);
		if (n <= 0)
			return false;
		got += (size_t)n;
	}
	return true;
}

static bool
raw_expect(int fd, uint32_t type, uint32_t req, const void *data,
	   uint32_t len)
{
	struct xsd_sockmsg h;
	char buf[XENSTORE_PAYLOAD_MAX];

	if (!raw_read_all(fd, &h, sizeof(h)) || h.len > sizeof(buf) ||
	    !raw_read_all(fd, buf, h.len))
		return false;
	if (h.type != type || h.req_id != req || h.tx_id != 0 ||
	    h.len != len || memcmp(buf, data, len) != 0) {
		fprintf(stderr, "got type %u req %u len %u '%.*s'\n", h.type,
			h.req_id, h.len, (int)h.len, buf);
		return false;
	}
	return true;
}

static bool
raw_closed(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char c;

	return poll(&pfd, 1, WAIT_MS) == 1 && read(fd, &c, 1) == 0;
}

static void
test_raw(struct xs_handle *h0)
{
	static const char watch[] = "data\0tok";
	static const char event[] = "data\0tok";
	static const char perms[] = "n1\0r0";
	uint32_t bad_len = XENSTORE_PAYLOAD_MAX + 1;
	int fd = raw_open(1), fd2;

	/* Unknown op, or an argument without its NUL: an error reply. */
	raw_send(fd, 999, 7, NULL, 0, 0);
	CHECK(raw_expect(fd, XS_ERROR, 7, "EINVAL", 7));
	raw_send(fd, XS_READ, 8, "name", 4, 0);
	CHECK(raw_expect(fd, XS_ERROR, 8, "EINVAL", 7));
	raw_send(fd, XS_TRANSACTION_END, 9, "T", 2, 0);
	CHECK(raw_expect(fd, XS_ERROR, 9, "ENOENT", 7));
	/* A request trickling in byte by byte. */
	raw_send(fd, XS_READ, 10, "name", 5, 1);
	CHECK(raw_expect(fd, XS_READ, 10, "guest", 5));
	raw_send(fd, XS_GET_PERMS, 11, "device/vif/0", 13, 0);
	CHECK(raw_expect(fd, XS_GET_PERMS, 11, perms, sizeof(perms)));
	/* Watch: "OK", then the first event with req_id 0. */
	raw_send(fd, XS_WATCH, 12, watch, sizeof(watch), 0);
	CHECK(raw_expect(fd, XS_WATCH, 12, "OK", 3));
	CHECK(raw_expect(fd, XS_WATCH_EVENT, 0, event, sizeof(event)));
	/* Two requests in one write. */
	{
		char two[2 * sizeof(struct xsd_sockmsg) + 10];
		struct xsd_sockmsg a = { .type = XS_READ, .req_id = 13,
					 .len = 5 };

		memcpy(two, &a, sizeof(a));
		memcpy(two + sizeof(a), "name", 5);
		a.req_id = 14;
		memcpy(two + sizeof(a) + 5, &a, sizeof(a));
		memcpy(two + 2 * sizeof(a) + 5, "name", 5);
		CHECK(write(fd, two, sizeof(two)) == (ssize_t)sizeof(two));
		CHECK(raw_expect(fd, XS_READ, 13, "guest", 5));
		CHECK(raw_expect(fd, XS_READ, 14, "guest", 5));
	}
	/* Leave with a watch and a transaction open. */
	raw_send(fd, XS_TRANSACTION_START, 15, "", 1, 0);
	close(fd);
	CHECK(wr(h0, XBT_NULL, "/local/domain/1/data/after", "1"));

	/* An oversized length: an error, then the connection goes. */
	fd2 = raw_open(2);
	raw_send(fd2, XS_WRITE, 16, NULL, bad_len, 0);
	CHECK(raw_expect(fd2, XS_ERROR, 16, "E2BIG", 6));
	CHECK(raw_closed(fd2));
	close(fd2);

	/* A client that vanishes mid-message. */
	fd2 = raw_open(2);
	raw_send(fd2, XS_READ, 17, NULL, 100, 0);
	close(fd2);
	CHECK(reads(h0, XBT_NULL, "/local/domain/1/data/after", "1"));
}

static void
test_many(void)
{
	struct xs_handle *h[MANY];
	char path[64], val[16];
	unsigned int i;

	for (i = 0; i < MANY; i++)
		h[i] = open_as(1 + i % GUESTS);
	for (i = 0; i < MANY; i++) {
		snprintf(path, sizeof(path), "data/many/%u", i);
		snprintf(val, sizeof(val), "%u", i * 7);
		CHECK(wr(h[i], XBT_NULL, path, val));
	}
	for (i = 0; i < MANY; i++) {
		snprintf(path, sizeof(path), "data/many/%u", i);
		snprintf(val, sizeof(val), "%u", i * 7);
		CHECK(reads(h[i], XBT_NULL, path, val));
		xs_close(h[i]);
	}
}

int
main(void)
{
	struct xs_handle *h0, *h1, *h2;

	signal(SIGPIPE, SIG_IGN);
	server_start();
	h0 = open_as(0);
	h1 = open_as(1);
	h2 = open_as(2);

	test_paths(h0, h1);
	test_perms(h0, h1, h2);
	test_transactions(h0, h1, h2);
	test_watches(h0, h1, h2);
	test_raw(h0);
	test_many();

	xs_close(h0);
	xs_close(h1);
	xs_close(h2);
	server_stop();
	if (failures != 0) {
		fprintf(stderr, "wire_test: %d check(s) failed\n", failures);
		return 1;
	}
	printf("wire_test: ok\n");
	return 0;
}
