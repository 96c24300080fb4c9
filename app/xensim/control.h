/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef XENSIM_CONTROL_H
#define XENSIM_CONTROL_H

struct xsim;

/* Serve RUN_DIR/control on the loop (see control.c for the commands). */
int control_listen(struct xsim *xs, const char *path);
void control_close(void);
/* A client: send one command, print the answer; 0 when it is "ok". */
int control_send(const char *path, const char *cmd);

#endif
