/* log.c: the one logging sink behind HW_ERROR/HW_WARN/HW_INFO/HW_DEBUG. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "log.h"

static int log_level = HW_LOG_INFO;  /* most verbose level that is written */
static int log_syslog;               /* 1: syslog, 0: stderr */
static const char *log_ident = "hopwatchd";  /* program name on stderr */

static const struct {
	const char *name;  /* as written in the config */
	int level;         /* HW_LOG_* */
} levels[] = {
	{ "error", HW_LOG_ERR },
	{ "warning", HW_LOG_WARNING },
	{ "info", HW_LOG_INFO },
	{ "debug", HW_LOG_DEBUG },
};

int log_level_parse(const char *name)
{
	for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++)
		if (strcasecmp(name, levels[i].name) == 0)
			return levels[i].level;
	return -1;
}

static const char *level_name(int level)
{
	for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++)
		if (levels[i].level == level)
			return levels[i].name;
	return "log";
}

void log_setup(int level, int use_syslog, const char *ident)
{
	if (log_syslog && !use_syslog)
		closelog();
	if (use_syslog && !log_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	log_level = level;
	log_syslog = use_syslog;
	log_ident = ident;
}

int hw_log_enabled(int level)
{
	return level <= log_level;
}

void hw_log(const hw_ctx *ctx, int level, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!hw_log_enabled(level))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (log_syslog) {
		if (ctx)
			syslog(level, "[%s] %s", hw_instance_name(ctx), msg);
		else
			syslog(level, "%s", msg);
		return;
	}
	if (ctx)
		fprintf(stderr, "%s: %s: [%s] %s\n", log_ident, level_name(level), hw_instance_name(ctx), msg);
	else
		fprintf(stderr, "%s: %s: %s\n", log_ident, level_name(level), msg);
}
