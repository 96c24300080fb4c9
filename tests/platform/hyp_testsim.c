/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Only the hypervisor sockets of xensim, for the platform tests:
 *   hyp_testsim RUN_DIR [--guests N] [--gntalloc-limit N]
 * serves RUN_DIR/domN/hypervisor for dom0..N and creates RUN_DIR/ready.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "evtchn.h"
#include "gnttab.h"
#include "hyp_server.h"
#include "loop.h"
#include "xensim_proto.h"
#include "xsim.h"

struct xsim_domain *
xsim_domain(struct xsim *xs, domid_t domid)
{
	return domid < xs->nr_domains ? &xs->dom[domid] : NULL;
}

static int
serve_domain(struct xsim *xs, domid_t domid)
{
	struct xsim_domain *d = &xs->dom[domid];
	char path[sizeof(d->dir) + 16];
	int rc;

	d->domid = domid;
	snprintf(d->dir, sizeof(d->dir), "%s/dom%u", xs->run_dir, domid);
	if (mkdir(d->dir, 0755) != 0 && errno != EEXIST)
		return -errno;
	d->gnttab = gnttab_create(domid, 4096);
	if (d->gnttab == NULL)
		return -ENOMEM;
	snprintf(path, sizeof(path), "%s/hypervisor", d->dir);
	unlink(path);
	rc = hyp_server_listen(xs, d, path);
	if (rc != 0)
		fprintf(stderr, "hyp_testsim: %s: %s\n", path, strerror(-rc));
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "guests", required_argument, NULL, 'g' },
		{ "gntalloc-limit", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 }
	};
	static struct xsim xs;
	unsigned int i, guests = 1;
	char path[512];
	int c, rc = 1;

	signal(SIGPIPE, SIG_IGN);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'g')
			guests = (unsigned int)atoi(optarg);
		else if (c == 'l')
			xs.gntalloc_limit = (unsigned int)atoi(optarg);
		else
			return 2;
	}
	if (optind != argc - 1 || guests == 0 ||
	    guests >= XSIM_MAX_DOMAINS) {
		fprintf(stderr, "usage: hyp_testsim RUN_DIR [--guests 1..%d] "
			"[--gntalloc-limit N]\n", XSIM_MAX_DOMAINS - 1);
		return 2;
	}
	xs.run_dir = argv[optind];
	xs.nr_domains = guests + 1;
	xs.loop = loop_create();
	xs.evtchn = evtchn_table_create();
	if (xs.loop == NULL || xs.evtchn == NULL)
		goto out;
	for (i = 0; i < xs.nr_domains; i++)
		if (serve_domain(&xs, i) != 0)
			goto out;
	snprintf(path, sizeof(path), "%s/ready", xs.run_dir);
	close(open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
	rc = loop_run(xs.loop) < 0;
out:
	for (i = 0; i < xs.nr_domains && xs.dom[i].dir[0] != '\0'; i++) {
		snprintf(path, sizeof(path), "%s/hypervisor", xs.dom[i].dir);
		unlink(path);
		snprintf(path, sizeof(path), "%s/" XSIM_CLIENT_MODULE,
			 xs.dom[i].dir);
		unlink(path);
		gnttab_destroy(xs.dom[i].gnttab);
	}
	evtchn_table_destroy(xs.evtchn);
	loop_destroy(xs.loop);
	return rc;
}
