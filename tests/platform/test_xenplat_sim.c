/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/xenplat against a running xensim (or hyp_testsim): this process is a
 * guest of dom1 through xenplat, and a backend of dom0 and a stranger of
 * dom2 through raw hypervisor sockets.
 *   test_xenplat_sim XENSIM_EXECUTABLE
 */
#include <dlfcn.h>
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <xen/xen.h>
#include <xen/grant_table.h>
#include <xenstore.h>

#include "xenplat_ops.h"
#include "xensim_proto.h"
#include "check.h"
#include "hyp_raw.h"

#define PAGE		XSIM_PAGE_SIZE
#define LIMIT		16

int failures;
/* The value a CHECK compared, for its message. */
static long long got;

static char run_dir[] = "/tmp/xenplat-test.XXXXXX";
static pid_t server = -1;

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	return remove(path);
}

static void
stop_server(void)
{
	int i, status;

	if (server > 0) {
		kill(server, SIGTERM);
		for (i = 0; i < 500 && waitpid(server, &status, WNOHANG) == 0;
		     i++)
			usleep(10000);
		if (i == 500) {
			kill(server, SIGKILL);
			waitpid(server, &status, 0);
		}
		server = -1;
	}
	nftw(run_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void
on_alarm(int sig)
{
	static const char msg[] = "test_xenplat_sim: timed out\n";

	if (write(2, msg, sizeof(msg) - 1) < 0 || server > 0)
		kill(server, SIGKILL);
	_exit(1);
}

static int
start_server(const char *exe)
{
	char limit[16], ready[256];
	int i, status;

	if (mkdtemp(run_dir) == NULL)
		return -1;
	snprintf(limit, sizeof(limit), "%d", LIMIT);
	server = fork();
	if (server < 0)
		return -1;
	if (server == 0) {
		execl(exe, exe, run_dir, "--guests", "2", "--gntalloc-limit",
		      limit, (char *)NULL);
		perror(exe);
		_exit(127);
	}
	snprintf(ready, sizeof(ready), "%s/ready", run_dir);
	for (i = 0; i < 1000; i++) {
		if (access(ready, F_OK) == 0)
			return 0;
		if (waitpid(server, &status, WNOHANG) == server) {
			server = -1;
			fprintf(stderr, "%s exited early\n", exe);
			return -1;
		}
		usleep(10000);
	}
	fprintf(stderr, "%s did not become ready\n", exe);
	return -1;
}

static void
test_grants(struct xenplat *xp, int dom0, int dom2)
{
	uint32_t refs[2], rref, sref;
	uint8_t buf[PAGE], *pg, *ro, *other, *map;
	uint64_t off;
	int16_t st;
	int memfd;

	pg = xenplat_share(xp, 0, 2, true, refs);
	ro = xenplat_share(xp, 0, 1, false, &rref);
	other = xenplat_share(xp, 2, 1, true, &sref);
	CHECK(pg != NULL && ro != NULL && other != NULL);
	if (pg == NULL || ro == NULL || other == NULL) {
		fprintf(stderr, "share: %s\n", xenplat_strerror(xp));
		return;
	}
	CHECK((got = pg[0] | pg[2 * PAGE - 1]) == 0, "got %lld", got);
	memset(pg, 0x5a, PAGE);
	memcpy(ro, "read only", 9);

	/* dom0 sees the guest's data and writes into its page. */
	CHECK((got = copy_from(dom0, 1, refs[0], 100, 64, buf)) == GNTST_okay,
	      "got %lld", got);
	CHECK(buf[0] == 0x5a && buf[63] == 0x5a);
	CHECK((got = copy_to(dom0, 1, refs[1], 8, 5, "hello")) == GNTST_okay,
	      "got %lld", got);
	CHECK(memcmp(pg + PAGE + 8, "hello", 5) == 0);
	CHECK((got = copy_from(dom0, 1, rref, 0, 9, buf)) == GNTST_okay,
	      "got %lld", got);
	CHECK(memcmp(buf, "read only", 9) == 0);

	/* Refusals, with Xen's codes. */
	CHECK((got = copy_to(dom0, 1, rref, 0, 1, "x")) ==
	      GNTST_permission_denied, "got %lld", got);
	CHECK(memcmp(ro, "read only", 9) == 0);
	CHECK((got = copy_from(dom0, 1, sref, 0, 1, buf)) ==
	      GNTST_permission_denied, "got %lld", got);
	CHECK((got = copy_from(dom2, 1, sref, 0, 1, buf)) == GNTST_okay,
	      "got %lld", got);
	CHECK((got = copy_from(dom2, 1, refs[0], 0, 1, buf)) ==
	      GNTST_permission_denied, "got %lld", got);
	CHECK((got = copy_from(dom0, 1, refs[0], PAGE - 10, 11, buf)) ==
	      GNTST_bad_copy_arg, "got %lld", got);
	CHECK((got = copy_from(dom0, 1, 3, 0, 1, buf)) == GNTST_bad_gntref,
	      "got %lld", got);
	CHECK((got = copy_from(dom0, 9, refs[0], 0, 1, buf)) ==
	      GNTST_bad_domain, "got %lld", got);

	/* A mapping keeps a page alive past the guest's unshare. */
	set_gref(XSIM_GNT_MAP, 1, refs[0], 0, 0);
	raw_req.u.gref.readonly = 1;
	raw_rpc(dom0);
	CHECK((got = raw_rsp.status) == GNTST_okay, "got %lld", got);
	CHECK((got = raw_nfds) == 1, "got %lld", got);
	if (raw_rsp.status == GNTST_okay && raw_nfds == 1) {
		memfd = raw_fds[0];
		off = raw_rsp.offset;
		map = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, memfd,
			   (off_t)off);
		close(memfd);
		CHECK(map != MAP_FAILED);
		if (map != MAP_FAILED) {
			CHECK(map[0] == 0x5a && map[PAGE - 1] == 0x5a);
			pg[7] = 7;
			CHECK((got = map[7]) == 7, "got %lld", got);
			munmap(map, PAGE);
		}
	}
	set_gref(XSIM_GNT_MAP, 1, rref, 0, 0);
	raw_rpc(dom0);
	CHECK((got = raw_rsp.status) == GNTST_permission_denied,
	      "got %lld", got);	/* writable map */
	CHECK((got = raw_nfds) == 0, "got %lld", got);

	CHECK((got = xenplat_unshare(xp, pg, 2)) == -EBUSY, "got %lld", got);
	CHECK(strstr(xenplat_strerror(xp), "in use") != NULL);
	CHECK((got = xenplat_unshare(xp, pg, 2)) == -EINVAL,
	      "got %lld", got);	/* gone here */
	CHECK((got = copy_from(dom0, 1, refs[1], 0, 1, buf)) ==
	      GNTST_bad_gntref, "got %lld", got);
	CHECK((got = copy_from(dom0, 1, refs[0], 0, 1, buf)) == GNTST_okay,
	      "got %lld", got);
	set_gref(XSIM_GNT_UNMAP, 1, refs[0], 0, 0);
	raw_rpc(dom0);
	CHECK((got = raw_rsp.status) == GNTST_okay, "got %lld", got);
	CHECK((got = copy_from(dom0, 1, refs[0], 0, 1, buf)) ==
	      GNTST_bad_gntref, "got %lld", got);
	set_gref(XSIM_GNT_UNMAP, 1, refs[0], 0, 0);
	raw_rpc(dom0);
	CHECK((got = raw_rsp.status) == GNTST_bad_handle, "got %lld", got);

	CHECK((got = xenplat_unshare(xp, ro, 1)) == 0, "got %lld", got);
	CHECK((got = xenplat_unshare(xp, other, 1)) == 0, "got %lld", got);
	CHECK((got = copy_from(dom0, 1, rref, 0, 1, buf)) == GNTST_bad_gntref,
	      "got %lld", got);
	st = copy_from(dom2, 1, sref, 0, 1, buf);
	CHECK((got = st) == GNTST_bad_gntref, "got %lld", got);
}

static void
test_limit(struct xenplat *xp, const char *dir)
{
	uint32_t refs[LIMIT + 1];
	struct xenplat *other;
	char err[256];
	void *a, *b;

	a = xenplat_share(xp, 0, LIMIT - 1, true, refs);
	CHECK(a != NULL);
	b = xenplat_share(xp, 0, 2, true, refs);
	CHECK(b == NULL);
	CHECK((got = errno) == ENOSPC, "got %lld", got);
	printf("over the limit: %s\n", xenplat_strerror(xp));
	CHECK(strstr(xenplat_strerror(xp), "gntalloc limit of 16 pages") !=
	      NULL);
	CHECK(strstr(xenplat_strerror(xp), "--gntalloc-limit") != NULL);
	CHECK(xenplat_share(xp, 0, XSIM_SHARE_MAX + 1, true, refs) == NULL);
	CHECK(xenplat_share(xp, 0, 0, true, refs) == NULL);
	/* The limit is the guest's, not the process's: another handle of
	 * the same domain (another process) finds it used up too. */
	other = xenplat_open(dir, err, sizeof(err));
	REQUIRE(other != NULL, "second handle: %s", err);
	CHECK(xenplat_share(other, 0, 2, true, refs) == NULL,
	      "a second process of dom1 got past the guest's limit");
	CHECK((got = xenplat_unshare(xp, a, LIMIT - 1)) == 0, "got %lld", got);
	b = xenplat_share(other, 0, 2, true, refs);
	CHECK(b != NULL);
	CHECK((got = xenplat_unshare(other, b, 2)) == 0, "got %lld", got);
	xenplat_close(other);
	b = xenplat_share(xp, 0, LIMIT, true, refs);
	CHECK(b != NULL);
	CHECK((got = xenplat_unshare(xp, b, LIMIT)) == 0, "got %lld", got);
}

static void
test_evtchn(struct xenplat *xp, int dom0, int dom2)
{
	struct xenplat_evtchn *ch, *ch2;
	uint64_t one = 1, n;
	uint32_t port0;
	int w0, n0;

	ch = xenplat_evtchn_alloc(xp, 0);
	ch2 = xenplat_evtchn_alloc(xp, 0);
	CHECK(ch != NULL && ch2 != NULL);
	if (ch == NULL || ch2 == NULL) {
		fprintf(stderr, "evtchn: %s\n", xenplat_strerror(xp));
		return;
	}
	CHECK(xenplat_evtchn_port(ch) >= 1);
	CHECK(xenplat_evtchn_port(ch) != xenplat_evtchn_port(ch2));

	/* Only the domain the port is offered to may bind it. */
	raw_req.op = XSIM_EVTCHN_BIND_INTERDOMAIN;
	raw_req.u.evtchn.remote = 1;
	raw_req.u.evtchn.port = xenplat_evtchn_port(ch2);
	raw_rpc(dom2);
	CHECK((got = raw_rsp.rc) == -EACCES, "got %lld", got);
	CHECK((got = raw_nfds) == 0, "got %lld", got);

	raw_req.op = XSIM_EVTCHN_BIND_INTERDOMAIN;
	raw_req.u.evtchn.remote = 1;
	raw_req.u.evtchn.port = xenplat_evtchn_port(ch);
	raw_rpc(dom0);
	CHECK((got = raw_rsp.rc) == 0, "got %lld", got);
	CHECK((got = raw_nfds) == 2, "got %lld", got);
	if (raw_rsp.rc != 0 || raw_nfds != 2)
		return;
	port0 = raw_rsp.port;
	w0 = raw_fds[0];
	n0 = raw_fds[1];
	CHECK(port0 >= 1);
	raw_req.op = XSIM_EVTCHN_BIND_INTERDOMAIN;
	raw_req.u.evtchn.remote = 1;
	raw_req.u.evtchn.port = xenplat_evtchn_port(ch);
	raw_rpc(dom0);
	CHECK((got = raw_rsp.rc) == -EINVAL,
	      "got %lld", got);	/* bound already */

	/* dom0 -> guest */
	CHECK((got = xenplat_evtchn_wait(ch, 0)) == 0, "got %lld", got);
	CHECK((got = write(n0, &one, sizeof(one))) == (long long)sizeof(one),
	      "got %lld", got);
	CHECK((got = xenplat_evtchn_wait(ch, 2000)) == 1, "got %lld", got);
	CHECK((got = xenplat_evtchn_wait(ch, 0)) == 0, "got %lld", got);
	CHECK((got = xenplat_evtchn_wait(ch2, 0)) == 0, "got %lld", got);

	/* Masked: pending, not delivered, until unmask. */
	xenplat_evtchn_mask(ch);
	CHECK((got = write(n0, &one, sizeof(one))) == (long long)sizeof(one),
	      "got %lld", got);
	CHECK((got = xenplat_evtchn_wait(ch, 50)) == 0, "got %lld", got);
	CHECK(readable(xenplat_evtchn_fd(ch), 0));
	xenplat_evtchn_unmask(ch);
	CHECK((got = xenplat_evtchn_wait(ch, 0)) == 1, "got %lld", got);
	CHECK((got = xenplat_evtchn_wait(ch, 0)) == 0, "got %lld", got);

	/* guest -> dom0 */
	CHECK(!readable(w0, 0));
	CHECK((got = xenplat_evtchn_notify(ch)) == 0, "got %lld", got);
	CHECK(readable(w0, 2000));
	CHECK((got = read(w0, &n, sizeof(n))) == (long long)sizeof(n),
	      "got %lld", got);

	xenplat_evtchn_free(ch2);
	xenplat_evtchn_free(ch);
	close(w0);
	close(n0);
	raw_req.op = XSIM_EVTCHN_CLOSE;
	raw_req.u.evtchn.port = port0;
	raw_rpc(dom0);
	CHECK((got = raw_rsp.rc) == 0, "got %lld", got);
	raw_req.op = XSIM_EVTCHN_CLOSE;
	raw_req.u.evtchn.port = port0;
	raw_rpc(dom0);
	CHECK((got = raw_rsp.rc) == -EINVAL, "got %lld", got);
}

static void
test_malformed(int dom0)
{
	static const char junk[10] = "junk";

	raw_send(dom0, junk, sizeof(junk));
	CHECK((got = raw_rsp.rc) == -EBADMSG, "got %lld", got);
	CHECK(strstr(raw_rsp.msg, "malformed") != NULL);
	raw_req.op = 999;
	raw_rpc(dom0);
	CHECK((got = raw_rsp.rc) == -EOPNOTSUPP, "got %lld", got);
	raw_req.op = XSIM_GNT_UNSHARE;
	raw_req.u.unshare.handle = 12345;
	raw_rpc(dom0);
	CHECK((got = raw_rsp.rc) == -ENOENT, "got %lld", got);
	raw_req.op = XSIM_GNT_SHARE;
	raw_req.u.share.grantee = 1;
	raw_req.u.share.count = XSIM_SHARE_MAX + 1;
	raw_rpc(dom0);
	CHECK((got = raw_rsp.rc) == -EINVAL, "got %lld", got);
	raw_req.op = XSIM_GNT_SHARE;
	raw_req.u.share.grantee = 200;
	raw_req.u.share.count = 1;
	raw_rpc(dom0);
	CHECK((got = raw_rsp.rc) == -ESRCH, "got %lld", got);
}

/* XENSTORED_PATH points at the domain for the call, and is restored. */
static void
test_xenstore(struct xenplat *xp)
{
	char sock[300];
	struct xs_handle *xsh;

	setenv("XENSTORED_PATH", "/nonexistent/elsewhere", 1);
	xsh = xenplat_xs_open(xp);
	snprintf(sock, sizeof(sock), "%s/dom1/xenstored", run_dir);
	if (access(sock, F_OK) == 0) {
		CHECK(xsh != NULL);
	} else {
		CHECK(xsh == NULL);
		CHECK(xsh == NULL && strstr(xenplat_strerror(xp), sock));
	}
	if (xsh != NULL)
		xs_close(xsh);
	CHECK(strcmp(getenv("XENSTORED_PATH"), "/nonexistent/elsewhere") ==
	      0);
	unsetenv("XENSTORED_PATH");
}

/* A guest that goes away ends its grants: nothing stays granted. */
static void
test_close(struct xenplat *xp, int dom0)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	uint8_t buf[8], *pg;
	uint32_t ref;
	int16_t st = GNTST_okay;
	int i;

	pg = xenplat_share(xp, 0, 1, true, &ref);
	CHECK(pg != NULL);
	CHECK((got = copy_from(dom0, 1, ref, 0, 1, buf)) == GNTST_okay,
	      "got %lld", got);
	xenplat_close(xp);
	/* Other connections may be served first: give it a moment. */
	for (i = 0; i < 200 && st == GNTST_okay; i++) {
		st = copy_from(dom0, 1, ref, 0, 1, buf);
		if (st == GNTST_okay)
			nanosleep(&ts, NULL);
	}
	CHECK((got = st) == GNTST_bad_gntref, "got %lld", got);
}

/*
 * The simulated platform is the module the server links in RUN/domN: the
 * loader's own words when it is missing or foreign, and no reference kept
 * once the last handle is closed.
 */
static void
test_module(void)
{
	char dir[300], link[340], err[256];
	Dl_info info;

	snprintf(dir, sizeof(dir), "%s/nowhere", run_dir);
	CHECK(xenplat_open(dir, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "cannot reach xensim") != NULL &&
	      strstr(err, XSIM_CLIENT_MODULE ": cannot open shared object "
		     "file") != NULL, "err: %s", err);

	/* A module, but no socket: the module's own message. */
	snprintf(dir, sizeof(dir), "%s/dom1", run_dir);
	snprintf(link, sizeof(link), "%s/" XSIM_CLIENT_MODULE, dir);
	CHECK(readlink(link, err, sizeof(err)) > 0);
	snprintf(dir, sizeof(dir), "%s/nosocket", run_dir);
	snprintf(link, sizeof(link), "%s/" XSIM_CLIENT_MODULE, dir);
	CHECK(mkdir(dir, 0755) == 0);
	CHECK(readlink(link, err, sizeof(err)) < 0 && errno == ENOENT);
	snprintf(err, sizeof(err), "%s/dom1/" XSIM_CLIENT_MODULE, run_dir);
	CHECK(symlink(err, link) == 0);
	CHECK(xenplat_open(dir, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "cannot reach xensim at ") != NULL &&
	      strstr(err, "/nosocket/hypervisor") != NULL, "err: %s", err);

	/* Some other library in its place: no entry point of this version. */
	CHECK(unlink(link) == 0);
	CHECK(dladdr((void *)xs_open, &info) != 0 &&
	      symlink(info.dli_fname, link) == 0);
	CHECK(xenplat_open(dir, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "undefined symbol: " XENPLAT_SIM_ENTRY) != NULL,
	      "err: %s", err);
}

/* After the last xenplat_close(), the module is no longer loaded. */
static void
test_unloaded(const char *dir)
{
	char link[340];
	void *h;

	snprintf(link, sizeof(link), "%s/" XSIM_CLIENT_MODULE, dir);
	h = dlopen(link, RTLD_NOW | RTLD_NOLOAD);
	CHECK(h == NULL);
	if (h != NULL)
		dlclose(h);
}

int
main(int argc, char **argv)
{
	char dir[300], err[256];
	struct xenplat *xp;
	int dom0, dom2;

	if (argc != 2) {
		fprintf(stderr, "usage: test_xenplat_sim XENSIM\n");
		return 2;
	}
	signal(SIGALRM, on_alarm);
	alarm(50);
	if (start_server(argv[1]) != 0) {
		stop_server();
		return 1;
	}
	test_module();
	snprintf(dir, sizeof(dir), "%s/dom1", run_dir);
	xp = xenplat_open(dir, err, sizeof(err));
	if (xp == NULL) {
		fprintf(stderr, "xenplat_open(%s): %s\n", dir, err);
		stop_server();
		return 1;
	}
	CHECK(strcmp(xenplat_name(xp), "xensim") == 0);
	dom0 = raw_open(run_dir, 0);
	dom2 = raw_open(run_dir, 2);
	test_grants(xp, dom0, dom2);
	test_limit(xp, dir);
	test_evtchn(xp, dom0, dom2);
	test_malformed(dom0);
	test_xenstore(xp);
	test_close(xp, dom0);
	test_unloaded(dir);
	close(dom0);
	close(dom2);
	stop_server();
	if (failures != 0) {
		fprintf(stderr, "%d check(s) failed\n", failures);
		return 1;
	}
	printf("xenplat on %s: all checks passed\n", argv[1]);
	return 0;
}
