/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>

#include "loop.h"

struct watch {
	struct watch *next;
	int fd;
	loop_fd_fn *fn;
	void *arg;
};

struct deferred {
	struct deferred *next;
	loop_defer_fn *fn;
	void *arg;
};

struct loop {
	int epfd;
	int sigfd;
	int stop;
	struct watch *watches;
	struct deferred *head, **tail;
};

static void
run_deferred(struct loop *lp)
{
	struct deferred *d;

	while ((d = lp->head) != NULL) {
		lp->head = d->next;
		if (lp->head == NULL)
			lp->tail = &lp->head;
		d->fn(d->arg);
		free(d);
	}
}

struct loop *
loop_create(void)
{
	struct loop *lp = calloc(1, sizeof(*lp));
	sigset_t set;

	if (lp == NULL)
		return NULL;
	lp->tail = &lp->head;
	lp->epfd = epoll_create1(EPOLL_CLOEXEC);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	lp->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (lp->epfd < 0 || lp->sigfd < 0) {
		loop_destroy(lp);
		return NULL;
	}
	epoll_ctl(lp->epfd, EPOLL_CTL_ADD, lp->sigfd,
		  &(struct epoll_event){ .events = EPOLLIN, .data.ptr = NULL });
	return lp;
}

void
loop_destroy(struct loop *lp)
{
	if (lp == NULL)
		return;
	while (lp->watches != NULL) {
		struct watch *w = lp->watches;

		lp->watches = w->next;
		free(w);
	}
	/* Deferred work releases memory (e.g. removed watches): run it. */
	run_deferred(lp);
	if (lp->epfd >= 0)
		close(lp->epfd);
	if (lp->sigfd >= 0)
		close(lp->sigfd);
	free(lp);
}

int
loop_add_fd(struct loop *lp, int fd, unsigned int events, loop_fd_fn *fn,
	    void *arg)
{
	struct watch *w = calloc(1, sizeof(*w));

	if (w == NULL)
		return -ENOMEM;
	*w = (struct watch){ .next = lp->watches, .fd = fd, .fn = fn,
			     .arg = arg };
	if (epoll_ctl(lp->epfd, EPOLL_CTL_ADD, fd,
		      &(struct epoll_event){ .events = events,
					     .data.ptr = w }) < 0) {
		int err = -errno;

		free(w);
		return err;
	}
	lp->watches = w;
	return 0;
}

void
loop_del_fd(struct loop *lp, int fd)
{
	struct watch **pw;

	for (pw = &lp->watches; *pw != NULL; pw = &(*pw)->next) {
		struct watch *w = *pw;

		if (w->fd != fd)
			continue;
		epoll_ctl(lp->epfd, EPOLL_CTL_DEL, fd, NULL);
		*pw = w->next;
		/* An event for w may still be in this round's batch. */
		w->fn = NULL;
		loop_defer(lp, free, w);
		return;
	}
}

int
loop_defer(struct loop *lp, loop_defer_fn *fn, void *arg)
{
	struct deferred *d = malloc(sizeof(*d));

	if (d == NULL)
		return -ENOMEM;
	*d = (struct deferred){ .fn = fn, .arg = arg };
	*lp->tail = d;
	lp->tail = &d->next;
	return 0;
}

void
loop_stop(struct loop *lp)
{
	lp->stop = 1;
}

int
loop_run(struct loop *lp)
{
	struct epoll_event ev[32];

	while (!lp->stop) {
		int i, n;

		run_deferred(lp);
		if (lp->stop)
			break;
		n = epoll_wait(lp->epfd, ev, 32, lp->head != NULL ? 0 : -1);
		if (n < 0 && errno != EINTR)
			return -errno;
		for (i = 0; i < n; i++) {
			struct watch *w = ev[i].data.ptr;

			if (w == NULL) {
				struct signalfd_siginfo si;

				if (read(lp->sigfd, &si, sizeof(si)) ==
				    sizeof(si))
					return (int)si.ssi_signo;
				continue;
			}
			if (w->fn != NULL)
				w->fn(w->arg, w->fd, ev[i].events);
		}
	}
	run_deferred(lp);
	return 0;
}
