/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xensim: a simulated Xen hypervisor and backend domain. Serves xenstore,
 * grant tables and event channels to guest processes over per-domain
 * sockets, and runs a netback for each vif.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>

#include "control.h"
#include "evtchn.h"
#include "gnttab.h"
#include "hyp_server.h"
#include "loop.h"
#include "netback.h"
#include "netback_knobs.h"
#include "toolstack.h"
#include "xensim_proto.h"
#include "xs_store.h"
#include "xsim.h"

#define GNTTAB_REFS	65536
#define MAX_VIFS	32

static struct {
	unsigned int guests;
	unsigned int status_ms;
	unsigned int nr_vifs;
	const char *vif[MAX_VIFS];
	struct netback *nb[MAX_VIFS];
	int timer_fd;
	const char *ctl;		/* --ctl: a client's command */
} cfg = { .guests = 1, .status_ms = 500, .timer_fd = -1 };

static void
usage(FILE *f)
{
	fprintf(f,
"usage: xensim RUN_DIR [options]\n"
"  Simulated Xen: dom0 (backend) and guests 1..N. For each domain N,\n"
"  RUN_DIR/domN/xenstored serves xenstore (XENSTORED_PATH) and\n"
"  RUN_DIR/domN/hypervisor grants and event channels, acting as domain N;\n"
"  RUN_DIR/domN/xenplat-sim.so links the module net_netfront loads for\n"
"  xensim=RUN_DIR/domN. RUN_DIR/ready appears when serving;\n"
"  RUN_DIR/status.json has counters.\n"
"options:\n"
"  --guests N           guest domains 1..N (default 1)\n"
"  --vif SPEC           add a vif; repeatable. SPEC is\n"
"                       D/H[,end=echo|sink|gen[:SIZE|imix]|peer:D/H\n"
"                          |tap:IF[@NETNS]]\n"
"                          [,mode=poll|event][,queues=N]\n"
"                          [,omit=KEY][,KNOB=N...]\n"
"  --mtu N              the MTU the toolstack writes for every vif, as\n"
"                       libxl's vif 'mtu=' (default 1500)\n"
"  --gntalloc-limit N   grant pages per guest domain, all its processes\n"
"                       together, like gntalloc's 'limit' (default 0:\n"
"                       unlimited)\n"
"  --status-ms MS       status.json refresh period (default 500)\n"
"  --ctl 'OP D/H'       as a client of the xensim serving RUN_DIR: unplug\n"
"                       (xl network-detach), plug (network-attach) or\n"
"                       restart (the backend driver) vif D/H, or restore\n"
"                       (xl save + restore) its guest D; prints the\n"
"                       answer once done, exits 0 when it is ok\n"
"  -h, --help\n"
"  Held TX packets and RX requests are answered at most 2 ms after they\n"
"  are due. Violations of the frontend and RX page leaks are counted in\n"
"  status.json and printed at exit; ports of before a restore that a\n"
"  process unbinds or holds at exit (Linux BUG()s) are counted there too.\n");
	nb_knobs_help(f);
}

struct xsim_domain *
xsim_domain(struct xsim *xs, domid_t domid)
{
	return domid < xs->nr_domains ? &xs->dom[domid] : NULL;
}

static int
parse_uint(const char *s, unsigned int max, unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v > max)
		return -1;
	*out = (unsigned int)v;
	return 0;
}

/* Refuse a socket another xensim serves; remove a stale one. */
static int
claim_socket(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, busy;

	if (access(path, F_OK) != 0)
		return 0;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	busy = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 ||
	       errno == EPROTOTYPE;
	close(fd);
	if (busy) {
		fprintf(stderr, "xensim: %s is already served (another xensim "
			"on this run directory?)\n", path);
		return -1;
	}
	unlink(path);
	return 0;
}

static int
setup_domain(struct xsim *xs, domid_t domid)
{
	struct xsim_domain *d = &xs->dom[domid];
	char path[sizeof(d->dir) + 16];

	d->domid = domid;
	snprintf(d->name, sizeof(d->name), domid == 0 ? "Domain-0" :
		 "guest%u", domid);
	if ((size_t)snprintf(d->dir, sizeof(d->dir), "%s/dom%u",
			     xs->run_dir, domid) >= sizeof(d->dir)) {
		fprintf(stderr, "xensim: run directory path too long\n");
		return -1;
	}
	if (mkdir(d->dir, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "xensim: cannot create %s: %s\n", d->dir,
			strerror(errno));
		return -1;
	}
	d->gnttab = gnttab_create(domid, GNTTAB_REFS);
	if (d->gnttab == NULL) {
		fprintf(stderr, "xensim: no memory for dom%u's grant table\n",
			domid);
		return -1;
	}
	if (toolstack_add_domain(xs, domid, d->name) != 0) {
		fprintf(stderr, "xensim: cannot create dom%u in xenstore\n",
			domid);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/xenstored", d->dir);
	if (claim_socket(path) != 0 ||
	    xs_server_listen(xs->xs, path, domid) != 0) {
		fprintf(stderr, "xensim: cannot serve %s\n", path);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/hypervisor", d->dir);
	if (claim_socket(path) != 0 || hyp_server_listen(xs, d, path) != 0) {
		fprintf(stderr, "xensim: cannot serve %s\n", path);
		return -1;
	}
	return 0;
}

/* "D/H,..." -> toolstack vif, then its netback. */
static int
add_vif(struct xsim *xs, unsigned int i)
{
	const char *spec = cfg.vif[i];
	unsigned int domid, handle;
	char err[256];

	if (sscanf(spec, "%u/%u", &domid, &handle) != 2 || domid == 0 ||
	    domid >= xs->nr_domains || handle > 255) {
		fprintf(stderr, "xensim: --vif %s: expected D/H with a guest "
			"domain 1..%u and a handle 0..255\n", spec,
			xs->nr_domains - 1);
		return -1;
	}
	if (toolstack_add_vif(xs, domid, handle) != 0) {
		fprintf(stderr, "xensim: --vif %s: cannot create it in "
			"xenstore\n", spec);
		return -1;
	}
	cfg.nb[i] = netback_create(xs, spec, err, sizeof(err));
	if (cfg.nb[i] == NULL) {
		fprintf(stderr, "xensim: --vif %s: %s\n", spec, err);
		return -1;
	}
	return 0;
}

static void
write_status(struct xsim *xs)
{
	char tmp[520], path[512];
	unsigned int i;
	FILE *f;

	snprintf(path, sizeof(path), "%s/status.json", xs->run_dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (f == NULL)
		return;
	fprintf(f, "{\"pid\":%d,\"stale_evtchn_closes\":%llu,"
		"\"stale_evtchn_at_exit\":%llu,\"domains\":[", (int)getpid(),
		(unsigned long long)xs->stale_evtchn_closes,
		(unsigned long long)xs->stale_evtchn_at_exit);
	for (i = 0; i < xs->nr_domains; i++) {
		struct gnttab_stats gs;

		gnttab_get_stats(xs->dom[i].gnttab, &gs);
		fprintf(f, "%s{\"domid\":%u,\"ports_open\":%u,"
			"\"grants_active\":%llu,\"grant_copies\":%llu,"
			"\"grant_refused\":%llu,\"grant_end_busy\":%llu}",
			i ? "," : "", i, evtchn_open_ports(xs->evtchn, i),
			(unsigned long long)gs.shared,
			(unsigned long long)gs.copies,
			(unsigned long long)gs.refused,
			(unsigned long long)gs.end_busy);
	}
	fprintf(f, "],\"vifs\":[");
	for (i = 0; i < cfg.nr_vifs; i++) {
		if (i)
			fputc(',', f);
		netback_status_json(cfg.nb[i], f);
	}
	fprintf(f, "]}\n");
	if (fclose(f) == 0)
		rename(tmp, path);
}

static void
on_timer(void *arg, int fd, unsigned int events)
{
	uint64_t n;

	if (read(fd, &n, sizeof(n)) == sizeof(n))
		write_status(arg);
}

static int
parse_args(int argc, char **argv, struct xsim *xs)
{
	static const struct option opts[] = {
		{ "guests", required_argument, NULL, 'g' },
		{ "vif", required_argument, NULL, 'v' },
		{ "gntalloc-limit", required_argument, NULL, 'l' },
		{ "mtu", required_argument, NULL, 'm' },
		{ "status-ms", required_argument, NULL, 's' },
		{ "ctl", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'g':
			if (parse_uint(optarg, XSIM_MAX_DOMAINS - 1,
				       &cfg.guests) != 0 || cfg.guests == 0) {
				fprintf(stderr, "xensim: --guests must be "
					"1..%d\n", XSIM_MAX_DOMAINS - 1);
				return -1;
			}
			break;
		case 'v':
			if (cfg.nr_vifs == MAX_VIFS) {
				fprintf(stderr, "xensim: at most %d vifs\n",
					MAX_VIFS);
				return -1;
			}
			cfg.vif[cfg.nr_vifs++] = optarg;
			break;
		case 'l':
			if (parse_uint(optarg, 1u << 24,
				       &xs->gntalloc_limit) != 0) {
				fprintf(stderr, "xensim: bad --gntalloc-limit "
					"'%s'\n", optarg);
				return -1;
			}
			break;
		case 'm':
			if (parse_uint(optarg, 65535, &xs->vif_mtu) != 0 ||
			    xs->vif_mtu < 68) {
				fprintf(stderr, "xensim: --mtu must be "
					"68..65535\n");
				return -1;
			}
			break;
		case 's':
			if (parse_uint(optarg, 3600000, &cfg.status_ms) != 0 ||
			    cfg.status_ms == 0) {
				fprintf(stderr, "xensim: bad --status-ms '%s'\n",
					optarg);
				return -1;
			}
			break;
		case 'c':
			cfg.ctl = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return -1;
	}
	xs->run_dir = argv[optind];
	return 0;
}

static int
open_run_dir(const char *dir)
{
	char path[512];
	FILE *f;

	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "xensim: cannot create run directory %s: %s\n",
			dir, strerror(errno));
		return -1;
	}
	if (access(dir, W_OK | X_OK) != 0) {
		fprintf(stderr, "xensim: cannot use run directory %s: %s\n",
			dir, strerror(errno));
		return -1;
	}
	/* Touch nothing while another xensim serves this directory. */
	snprintf(path, sizeof(path), "%s/dom0/xenstored", dir);
	if (claim_socket(path) != 0)
		return -1;
	snprintf(path, sizeof(path), "%s/ready", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/xensim.pid", dir);
	f = fopen(path, "w");
	if (f == NULL) {
		fprintf(stderr, "xensim: cannot write %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	fprintf(f, "%d\n", (int)getpid());
	fclose(f);
	return 0;
}

static int
start_status_timer(struct xsim *xs)
{
	struct itimerspec its = {
		.it_interval.tv_sec = cfg.status_ms / 1000,
		.it_interval.tv_nsec = (cfg.status_ms % 1000) * 1000000L,
	};

	its.it_value = its.it_interval;
	cfg.timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	if (cfg.timer_fd < 0 ||
	    timerfd_settime(cfg.timer_fd, 0, &its, NULL) != 0)
		return -1;
	return loop_add_fd(xs->loop, cfg.timer_fd, EPOLLIN,
			   on_timer, xs);
}

static void
remove_run_files(struct xsim *xs)
{
	static const char *const files[] = { "xenstored", "hypervisor",
					     XSIM_CLIENT_MODULE };
	char path[512];
	unsigned int i, j;

	for (i = 0; i < xs->nr_domains && xs->dom[i].dir[0] != '\0'; i++)
		for (j = 0; j < sizeof(files) / sizeof(files[0]); j++) {
			snprintf(path, sizeof(path), "%s/%s", xs->dom[i].dir,
				 files[j]);
			unlink(path);
		}
	snprintf(path, sizeof(path), "%s/ready", xs->run_dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/xensim.pid", xs->run_dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/control", xs->run_dir);
	unlink(path);
}

int
main(int argc, char **argv)
{
	static struct xsim xs = { .vif_mtu = 1500 };
	char path[512];
	unsigned int i;
	int rc = 1, sig;

	signal(SIGPIPE, SIG_IGN);
	if (parse_args(argc, argv, &xs) != 0)
		return 2;
	if (cfg.ctl != NULL) {
		snprintf(path, sizeof(path), "%s/control", xs.run_dir);
		return control_send(path, cfg.ctl);
	}
	if (open_run_dir(xs.run_dir) != 0)
		return 1;
	xs.loop = loop_create();
	xs.evtchn = evtchn_table_create();
	xs.xs = xs.loop ? xs_store_create(xs.loop) : NULL;
	if (xs.loop == NULL || xs.xs == NULL || xs.evtchn == NULL) {
		fprintf(stderr, "xensim: out of memory\n");
		goto out;
	}
	xs.nr_domains = cfg.guests + 1;
	for (i = 0; i < xs.nr_domains; i++)
		if (setup_domain(&xs, i) != 0)
			goto out;
	for (i = 0; i < cfg.nr_vifs; i++)
		if (add_vif(&xs, i) != 0)
			goto out;
	for (i = 0; i < cfg.nr_vifs; i++) {
		char err[256];

		if (netback_link(cfg.nb[i], err, sizeof(err)) != 0) {
			fprintf(stderr, "xensim: --vif %s: %s\n", cfg.vif[i],
				err);
			goto out;
		}
	}
	if (start_status_timer(&xs) != 0) {
		fprintf(stderr, "xensim: cannot start the status timer\n");
		goto out;
	}
	snprintf(path, sizeof(path), "%s/control", xs.run_dir);
	if (claim_socket(path) != 0 || control_listen(&xs, path) != 0) {
		fprintf(stderr, "xensim: cannot serve %s\n", path);
		goto out;
	}
	write_status(&xs);
	snprintf(path, sizeof(path), "%s/ready", xs.run_dir);
	close(open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
	printf("xensim: serving %s (dom0 + %u guest%s, %u vif%s)\n",
	       xs.run_dir, cfg.guests, cfg.guests > 1 ? "s" : "",
	       cfg.nr_vifs, cfg.nr_vifs == 1 ? "" : "s");
	fflush(stdout);

	sig = loop_run(xs.loop);
	if (sig > 0)
		printf("xensim: %s, shutting down\n", strsignal(sig));
	write_status(&xs);
	rc = sig < 0 ? 1 : 0;
out:
	control_close();
	for (i = 0; i < cfg.nr_vifs; i++)
		if (cfg.nb[i] != NULL)
			netback_destroy(cfg.nb[i]);
	remove_run_files(&xs);
	if (cfg.timer_fd >= 0)
		close(cfg.timer_fd);
	if (xs.xs != NULL)
		xs_store_destroy(xs.xs);
	for (i = 0; i < xs.nr_domains; i++)
		if (xs.dom[i].gnttab != NULL)
			gnttab_destroy(xs.dom[i].gnttab);
	if (xs.evtchn != NULL)
		evtchn_table_destroy(xs.evtchn);
	loop_destroy(xs.loop);
	return rc;
}
