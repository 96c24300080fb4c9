/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "xensim_ctl.h"

void
xensim_ctl(const char *xensim, const char *run, const char *cmd,
	   const char *expect)
{
	char line[1024], out[256] = "";
	FILE *p;
	int rc;

	snprintf(line, sizeof(line), "'%s' '%s' --ctl '%s'", xensim, run, cmd);
	p = popen(line, "r");
	REQUIRE(p != NULL, "popen %s", line);
	if (fgets(out, sizeof(out), p) == NULL)
		out[0] = '\0';
	rc = pclose(p);
	REQUIRE(rc == 0 && strstr(out, expect) != NULL,
		"xensim --ctl '%s' (rc %d): '%s', expected '%s'", cmd, rc,
		out, expect);
	printf("xensim --ctl '%s': %s", cmd, out);
}
