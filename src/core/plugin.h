/*
 * plugin.h: loading probe plugins.  A plugin is <plugin_dir>/<name>.so,
 * a regular file exporting HW_PLUGIN_SYMBOL.  Its descriptor's `abi` and
 * `size` (the first two fields, fixed forever) are checked before any other
 * field is read and before anything in the plugin runs.
 */
#ifndef HW_PLUGIN_H
#define HW_PLUGIN_H

#include <stddef.h>

#include "hopwatch.h"

/* Load (or return the already loaded) plugin `name` from `dir`.  NULL and a
 * message naming the file and what is wrong on failure. */
const hw_plugin *plugin_load(const char *dir, const char *name, char *err, size_t errlen);

/* Check a descriptor found under `name`; NULL when it is usable, else a
 * message.  Reads abi and size first.  Pure. */
const char *plugin_check(const hw_plugin *p, const char *name, char *buf, size_t len);

/* dlclose every loaded plugin; only at exit, when no instance runs. */
void plugin_unload_all(void);

#endif
