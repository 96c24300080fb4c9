/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef XENSIM_LOOP_H
#define XENSIM_LOOP_H

/*
 * xensim's control plane: one epoll loop on the main thread. xenstore,
 * the hypervisor sockets and the netback handshake all run here, so the
 * control-plane state needs no locks. Data-plane threads never touch it.
 */

struct loop;
typedef void loop_fd_fn(void *arg, int fd, unsigned int events);
typedef void loop_defer_fn(void *arg);

struct loop *loop_create(void);
void loop_destroy(struct loop *lp);

/* Watch fd for events (EPOLLIN...); fn runs on the loop thread. */
int loop_add_fd(struct loop *lp, int fd, unsigned int events,
		loop_fd_fn *fn, void *arg);
void loop_del_fd(struct loop *lp, int fd);

/* Run fn once from the loop, after the current callback returns. */
int loop_defer(struct loop *lp, loop_defer_fn *fn, void *arg);

/* Run until loop_stop() or a SIGINT/SIGTERM; returns the signal or 0. */
int loop_run(struct loop *lp);
void loop_stop(struct loop *lp);

#endif
