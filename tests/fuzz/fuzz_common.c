/* SPDX-License-Identifier: BSD-3-Clause */
#include <unistd.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_log.h>

#include "fuzz.h"

void
fz_quiet_logs(void)
{
	if (getenv("NETFRONT_FUZZ_LOG") == NULL)
		rte_log_set_global_level(RTE_LOG_EMERG);
}

void
fz_eal_init(const char *prog)
{
	char prefix[64];
	char *argv[] = {
		(char *)(uintptr_t)prog, "--no-huge", "-m", "128", "--no-pci",
		"--no-shconf", "--no-telemetry", prefix, "-l", "0",
		"--log-level=lib.eal:error",
	};

	/* Private files, so that parallel runs do not meet. */
	snprintf(prefix, sizeof(prefix), "--file-prefix=nffuzz%d",
		 (int)getpid());
	if (rte_eal_init(RTE_DIM(argv), argv) < 0) {
		fprintf(stderr, "%s: EAL init failed: %s\n", prog,
			rte_strerror(rte_errno));
		abort();
	}
	/* Without shared config and telemetry the EAL keeps nothing in its
	 * runtime directory: remove it now, so that no run leaves one. */
	rmdir(rte_eal_get_runtime_dir());
	fz_quiet_logs();
}
