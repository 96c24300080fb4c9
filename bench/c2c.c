/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cache-line handoff latency between two CPUs: one thread on each passes a
 * counter back and forth through one line. Every shared-memory PMD pays
 * this per ring line and per copied line, so it tells which kind of CPU
 * pair (same core complex or not) a benchmark run got; in a VM it can
 * change while the host moves vCPUs around.
 */
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define ROUNDS	200000u

static struct {
	uint64_t v;
} __attribute__((aligned(64))) line;

static int
pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

/* The echo side: answers odd values with the next even one. */
static void *
echo(void *arg)
{
	uint64_t want;

	if (pin(*(int *)arg) != 0)
		return (void *)1;
	for (want = 1; want < 2 * ROUNDS; want += 2) {
		while (__atomic_load_n(&line.v, __ATOMIC_ACQUIRE) != want)
			;
		__atomic_store_n(&line.v, want + 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	struct timespec t0, t1;
	int cpu_a, cpu_b;
	pthread_t th;
	void *ret;
	uint64_t i;
	double ns;

	if (argc != 3) {
		fprintf(stderr, "usage: %s CPU_A CPU_B\n"
			"prints the one-way cache-line handoff in ns\n",
			argv[0]);
		return 2;
	}
	cpu_a = atoi(argv[1]);
	cpu_b = atoi(argv[2]);
	if (pin(cpu_a) != 0 ||
	    pthread_create(&th, NULL, echo, &cpu_b) != 0) {
		fprintf(stderr, "c2c: cannot run on CPUs %d and %d\n", cpu_a,
			cpu_b);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < 2 * ROUNDS; i += 2) {
		__atomic_store_n(&line.v, i + 1, __ATOMIC_RELEASE);
		while (__atomic_load_n(&line.v, __ATOMIC_ACQUIRE) != i + 2)
			;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (pthread_join(th, &ret) != 0 || ret != NULL) {
		fprintf(stderr, "c2c: the echo thread failed\n");
		return 1;
	}
	ns = (double)(t1.tv_sec - t0.tv_sec) * 1e9 +
	     (double)(t1.tv_nsec - t0.tv_nsec);
	printf("%.1f\n", ns / (2.0 * ROUNDS));
	return 0;
}
