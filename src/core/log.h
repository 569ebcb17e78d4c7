/* log.h: where hw_log() writes; the macros themselves are in hopwatch.h. */
#ifndef HW_LOG_H
#define HW_LOG_H

#include "hopwatch.h"

/* Send logs at `level` and above to stderr (use_syslog 0) or syslog, named
 * `ident` (a string that lives as long as the process). */
void log_setup(int level, int use_syslog, const char *ident);
/* The level named "error", "warning", "info" or "debug"; -1 for anything else. */
int log_level_parse(const char *name);

#endif
