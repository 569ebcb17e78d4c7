/*
 * meshview.h: what `hopwatch mesh` shows of a mesh group, and how: the
 * loss and RTT matrices between members as a text grid (colour on a
 * terminal) or one JSON document.  Pure (it writes to the FILE it is
 * given); unit-tested in t/unit/cli-meshview.c.  The reads are in mesh.c.
 */
#ifndef HW_CLI_MESHVIEW_H
#define HW_CLI_MESHVIEW_H

#include <jansson.h>
#include <stdio.h>
#include <time.h>

#include "meshreg.h"

/* A result older than this many of its probe's intervals is stale (its
 * member stopped probing that peer, or stopped writing). */
#define MESHVIEW_STALE_INTERVALS 3
/* ... plus this many seconds (a member writes its results every third of mesh.ttl). */
#define MESHVIEW_STALE_SLACK 30

/* A registration under the group that is not valid. */
struct meshview_invalid {
	char name[MESH_NAME_MAX + 1];    /* the name in the member set */
	char why[160];                   /* meshreg_parse's reason */
};

/* One result: member `from` probing member `to` with `probe`. */
struct meshview_cell {
	char probe[MESH_NAME_MAX + 8];   /* probe instance ("/v6" appended for an instance's IPv6 targets) */
	size_t from, to;                 /* indexes into members */
	struct mesh_result r;            /* the result */
};

/* Everything read of one group. */
struct meshview {
	const char *group;               /* the group */
	struct mesh_reg *members;        /* valid registrations, in natural order of names (strverscmp) */
	size_t n;                        /* how many */
	struct meshview_invalid *invalid;/* invalid ones, sorted by name */
	size_t ninvalid;                 /* how many */
	struct meshview_cell *cells;     /* results between members */
	size_t ncells;                   /* how many */
};

/* Whether a result of `r` is stale at `now`. */
int meshview_stale(const struct mesh_result *r, time_t now);
/* Print the view: a header, per probe the loss matrix and the RTT matrix
 * (rows: from, columns: to, numbered as in the member list), then the
 * members (addresses, heartbeat age, tags) and the invalid registrations.
 * Cells: loss in percent, RTT in ms (3 significant digits); "-" no
 * result, "?" a stale one, "x" unreached, "." the member itself.  With
 * `color`, ANSI colours: green no loss, yellow some, red 50 % or more or
 * unreached, dim stale. */
void meshview_text(FILE *f, const struct meshview *v, time_t now, int color);
/* The view as JSON (hopwatch(1), JSON OUTPUT, mesh): {"group", "members":
 * [{name,id,ipv4,ipv6,tags,ts}], "invalid": [{name,reason}], "results":
 * [{probe,from,to,ip,loss,rtt,reached,ts,interval,stale}]}.  NULL when
 * memory ran out. */
json_t *meshview_json(const struct meshview *v, time_t now);

#endif
