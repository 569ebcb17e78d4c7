/* plugin.c: the plugin loader (see plugin.h). */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "plugin.h"

/* One loaded shared object; kept until exit so a reload can reuse it. */
struct loaded {
	char *path;                 /* file it came from */
	void *handle;               /* dlopen handle */
	const hw_plugin *desc;      /* its checked descriptor */
	struct loaded *next;        /* list link */
};

static struct loaded *loaded;  /* every plugin loaded so far */

/* Bytes of the field an option of type `t` fills; 0 for an unknown type. */
static size_t option_size(hw_opt_type t)
{
	switch (t) {
	case HW_OPT_INT:
	case HW_OPT_BOOL:
	case HW_OPT_ENUM:
		return sizeof(int);
	case HW_OPT_DOUBLE:
	case HW_OPT_DURATION:
		return sizeof(double);
	case HW_OPT_STRING:
		return sizeof(const char *);
	}
	return 0;
}

const char *plugin_check(const hw_plugin *p, const char *name, char *buf, size_t len)
{
	if (p->abi != HW_PLUGIN_ABI) {
		snprintf(buf, len, "built for plugin ABI %u, this hopwatchd speaks ABI %d: rebuild the plugin",
		         p->abi, HW_PLUGIN_ABI);
		return buf;
	}
	if (p->size != sizeof(hw_plugin)) {
		snprintf(buf, len, "descriptor is %u bytes, expected %zu: rebuild the plugin against this hopwatch.h",
		         p->size, sizeof(hw_plugin));
		return buf;
	}
	if (!p->name || strcmp(p->name, name) != 0) {
		snprintf(buf, len, "descriptor names \"%s\", not \"%s\"", p->name ? p->name : "(null)", name);
		return buf;
	}
	if (p->default_interval && !(p->default_interval >= 0.01 && p->default_interval <= 86400)) {
		snprintf(buf, len, "default_interval %g is outside 0.01 to 86400 seconds", p->default_interval);
		return buf;
	}
	if (!p->start || !p->stop) {
		snprintf(buf, len, "descriptor lacks start or stop");
		return buf;
	}
	if (p->options && !p->options_size) {
		snprintf(buf, len, "descriptor has options but options_size 0");
		return buf;
	}
	for (const hw_option *o = p->options; o && o->name; o++) {
		if (o->type == HW_OPT_ENUM && !o->choices) {
			snprintf(buf, len, "option \"%s\" is an enum without choices", o->name);
			return buf;
		}
		size_t fsize = option_size(o->type);
		if (!fsize) {
			snprintf(buf, len, "option \"%s\" has an unknown type %d", o->name, (int)o->type);
			return buf;
		}
		if (fsize > p->options_size || o->offset > p->options_size - fsize || o->offset % fsize) {
			snprintf(buf, len, "option \"%s\" lies outside options_size or is misaligned", o->name);
			return buf;
		}
	}
	for (const hw_metric_def *m = p->metrics; m && m->name; m++) {
		if ((unsigned)m->type > HW_TIMER || !m->name[0]) {
			snprintf(buf, len, "metric \"%s\" has an empty name or an unknown type %d", m->name, (int)m->type);
			return buf;
		}
		for (const hw_metric_def *o = p->metrics; o < m; o++)
			if (!strcmp(o->name, m->name)) {
				snprintf(buf, len, "metric \"%s\" is declared twice", m->name);
				return buf;
			}
	}
	return NULL;
}

/* A plugin name is a word: no path tricks. */
static int valid_name(const char *name)
{
	if (!name[0] || strlen(name) > 64)
		return 0;
	for (const char *c = name; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_'))
			return 0;
	return 1;
}

const hw_plugin *plugin_load(const char *dir, const char *name, char *err, size_t errlen)
{
	char path[4096], why[256];
	struct stat st;
	struct loaded *l;
	const hw_plugin *desc;
	const char *bad;
	void *h;

	if (!valid_name(name)) {
		snprintf(err, errlen, "plugin name \"%s\" must be lower-case letters, digits or '_'", name);
		return NULL;
	}
	snprintf(path, sizeof path, "%s/%s.so", dir, name);
	for (l = loaded; l; l = l->next)
		if (!strcmp(l->path, path))
			return l->desc;
	if (stat(path, &st) < 0) {
		snprintf(err, errlen, "plugin \"%s\": %s: %s (is plugin_dir right?)", name, path, strerror(errno));
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "plugin \"%s\": %s is not a regular file", name, path);
		return NULL;
	}
	if (!(h = dlopen(path, RTLD_NOW | RTLD_LOCAL))) {
		snprintf(err, errlen, "plugin \"%s\": cannot load: %s (`ldd %s` shows missing libraries)",
		         name, dlerror(), path);
		return NULL;
	}
	if (!(desc = dlsym(h, HW_PLUGIN_SYMBOL))) {
		snprintf(err, errlen, "plugin \"%s\": %s exports no %s: not a hopwatch plugin",
		         name, path, HW_PLUGIN_SYMBOL);
		dlclose(h);
		return NULL;
	}
	if ((bad = plugin_check(desc, name, why, sizeof why))) {
		snprintf(err, errlen, "plugin \"%s\": %s: %s", name, path, bad);
		dlclose(h);
		return NULL;
	}
	if (!(l = calloc(1, sizeof *l)) || !(l->path = strdup(path))) {
		free(l);
		dlclose(h);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	l->handle = h;
	l->desc = desc;
	l->next = loaded;
	loaded = l;
	return desc;
}

void plugin_unload_all(void)
{
	while (loaded) {
		struct loaded *l = loaded;
		loaded = l->next;
		dlclose(l->handle);
		free(l->path);
		free(l);
	}
}
