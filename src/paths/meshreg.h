/*
 * meshreg.h: the mesh's pure parts (no I/O): a member's registration,
 * written and strictly read back (JSON through Jansson), the allow-list of
 * CIDRs a registered address must fall in, the latest result per peer, and
 * the member table a daemon keeps of its group (joins, leaves, duplicate
 * names).  mesh.c does the Redis I/O and feeds the instances; the CLI's
 * `hopwatch mesh` reads the same records.  Unit-tested in t/unit/meshreg.c,
 * fuzzed in t/fuzz/meshreg.c.
 *
 * A registration (key <prefix>mesh:{<group>}:member:<name>, keys.h):
 *
 *   {"v":1,"name":"web-1","id":"9f0c2a61d4e8b7a3","ipv4":["10.0.0.5"],
 *    "ipv6":["fd00::5"],"tags":["rack:r1"],"ts":1700000000}
 *
 * v: the format (1); name: the member (hostname, else the system's host
 * name), equal to the key's; id: 16 hex digits drawn at each daemon start,
 * which tells two hosts claiming one name apart; ipv4, ipv6: the member's
 * addresses (up to MESH_ADDRS_MAX each, canonical text); tags: what the
 * member asks its probers to tag it with; ts: Unix seconds of the heartbeat.
 * Anything else (an unknown key, a wrong type, a non-canonical address,
 * more than the limits) makes the whole registration invalid: anyone who
 * can write to the Redis can add a target, so what is read is checked.
 */
#ifndef HW_MESHREG_H
#define HW_MESHREG_H

#include <arpa/inet.h>
#include <stddef.h>

/* Limits of a registration. */
#define MESH_NAME_MAX 64      /* bytes of a member or group name: letters, digits, '_', '.', '-' */
#define MESH_ADDRS_MAX 8      /* addresses per family */
#define MESH_TAGS_MAX 8       /* tags */
#define MESH_TAG_MAX 64       /* bytes of a tag */
#define MESH_REG_MAX 4096     /* bytes of a registration's JSON */
#define MESH_ID_LEN 16        /* hex digits of an instance id */

/* A registration, parsed and checked. */
struct mesh_reg {
	char name[MESH_NAME_MAX + 1];                    /* the member's name */
	char id[MESH_ID_LEN + 1];                        /* its daemon's id for this run */
	unsigned n4, n6;                                 /* addresses per family */
	char v4[MESH_ADDRS_MAX][INET_ADDRSTRLEN];        /* IPv4 addresses, canonical text */
	char v6[MESH_ADDRS_MAX][INET6_ADDRSTRLEN];       /* IPv6 addresses, canonical text */
	unsigned ntags;                                  /* tags */
	char tags[MESH_TAGS_MAX][MESH_TAG_MAX + 1];      /* "key:value" or "word" */
	long long ts;                                    /* Unix seconds of the heartbeat */
};

/* Whether `s` is a valid member or group name (1 to MESH_NAME_MAX letters,
 * digits, '_', '.', '-'). */
int meshreg_name_ok(const char *s);
/* Whether `s` is a valid registration tag (1 to MESH_TAG_MAX of letters,
 * digits and "_.:/-"). */
int meshreg_tag_ok(const char *s);
/* The JSON of `r` into buf (NUL-terminated).  Its length, or 0 when it
 * does not fit in `cap` or cannot be made. */
size_t meshreg_write(char *buf, size_t cap, const struct mesh_reg *r);
/* Parse the registration `json` (`len` bytes) read under member name
 * `name` into *out.  0, or -1 with the reason in why (a short phrase:
 * "not JSON", "unknown key \"x\"", "ipv4[1]: \"1.2.3\" is not an IPv4
 * address", "name \"a\" is not the key's \"b\""). */
int meshreg_parse(const char *json, size_t len, const char *name, struct mesh_reg *out, char *why,
                  size_t whylen);

/* One CIDR of an allow-list. */
struct mesh_cidr {
	int family;                 /* AF_INET or AF_INET6 */
	unsigned char addr[16];     /* network address, network order (4 bytes used for IPv4) */
	unsigned bits;              /* prefix length */
};

/* Parse "10.0.0.0/8", "fd00::/8" or a bare address (a host route).  Host
 * bits after the prefix must be zero ("10.0.0.1/8" is refused: it is
 * probably not what was meant).  0, or -1 with the reason in *why. */
int meshreg_cidr_parse(const char *s, struct mesh_cidr *out, const char **why);
/* Whether address text `ip` may be probed: it parses, is unicast (not
 * unspecified, multicast or IPv4 broadcast), and with an allow-list
 * (n > 0) falls in one of its CIDRs; without one, it is neither loopback
 * nor link-local.  NULL when it may, else why not ("is loopback (allow it
 * with mesh_allow)", "is outside mesh_allow"). */
const char *meshreg_addr_problem(const char *ip, const struct mesh_cidr *allow, size_t n);

/* A member's latest result toward one peer (one field of its results hash). */
struct mesh_result {
	double loss;      /* percent of the round's requests without answer, 0-100 */
	double rtt;       /* average RTT of the round in ms; < 0 when nothing answered */
	int reached;      /* 1 when the round's service check was OK */
	long long ts;     /* Unix seconds the round ended */
	double interval;  /* the probe's interval, seconds: a result older than a few is stale */
	char ip[INET6_ADDRSTRLEN];  /* the peer's address probed */
};

/* {"loss":0,"rtt":0.123,"reached":1,"ts":1700000000,"interval":10,"ip":"10.0.0.6"}
 * into buf.  Length, or 0 when it does not fit. */
size_t meshreg_result_write(char *buf, size_t cap, const struct mesh_result *r);
/* Parse a result strictly (as meshreg_parse).  0, or -1 with why. */
int meshreg_result_parse(const char *json, size_t len, struct mesh_result *out, char *why,
                         size_t whylen);

/* ---- The member table of one group, as a daemon sees it ---- */

/* What an update found, for the log (mesh.c words it). */
enum mesh_note {
	MESH_JOINED,      /* a member registered */
	MESH_LEFT,        /* a member's registration expired or was removed */
	MESH_CHANGED,     /* a member's addresses or tags changed (same id) */
	MESH_RESTARTED,   /* a member came back with a new id (the old one is gone) */
	MESH_INVALID,     /* a registration that does not parse or check (rate-limited) */
	MESH_DUPLICATE,   /* two ids register one name (rate-limited) */
	MESH_SELF_TAKEN,  /* another daemon registers under our name (rate-limited) */
};

/* One member the table knows. */
struct mesh_member {
	struct mesh_reg reg;        /* the adopted registration */
	double seen;                /* when the adopted registration was last read valid, seconds (caller's clock) */
	double noted;               /* when a rate-limited note was last given for this name */
	char why[160];              /* the last invalid reason noted, to note a new one at once */
	int mark;                   /* read in the current update */
	int present;                /* the adopted id was read in the current update */
};

/* The member table. */
struct mesh_table {
	struct mesh_member *m;      /* members, sorted by name */
	size_t n, cap;              /* used, allocated */
	char self[MESH_NAME_MAX + 1];   /* our own name: never a target */
	char self_id[MESH_ID_LEN + 1];  /* our id */
	double ttl;                 /* registration TTL, seconds: a registration that turned to garbage is kept this long */
	double quiet;               /* seconds between two rate-limited notes of one name */
	/* Called for each note: the member (NULL for none), the other id and
	 * the reason where they apply. */
	void (*note)(void *arg, enum mesh_note what, const struct mesh_member *m, const char *detail);
	void *arg;                  /* note's argument */
};

/* One entry read from Redis: an entry "<name>:<id>" of the member set
 * and its registration (NULL when the key was gone: expired).  Each daemon
 * run registers under its own id, so two hosts claiming one name are two
 * entries, never one key they overwrite in turn. */
struct mesh_read {
	const char *name;           /* the name part */
	const char *id;             /* the id part: the registration's must be the same */
	const char *json;           /* the registration, or NULL */
	size_t len;                 /* its length */
};

/* Split a member set entry "<name>:<id>" into name (MESH_NAME_MAX + 1
 * bytes) and id (MESH_ID_LEN + 1).  0, or -1 when it is not one. */
int meshreg_entry_split(const char *entry, char *name, char *id);

/* Apply one complete read of the group at time `now` (seconds, the
 * caller's clock): adopt new members, drop those gone, keep the adopted
 * id of a name while its registration lives, whatever other id registers
 * the same name (noted, at most every `quiet` seconds; adopted only once
 * the first one's registration expired: a restart).  Returns 1 when the
 * set of targets (names, addresses, tags) changed, 0 when not, -1 when
 * out of memory. */
int mesh_table_update(struct mesh_table *t, const struct mesh_read *rd, size_t n, double now);
/* Free the table's members (the table itself is the caller's). */
void mesh_table_clear(struct mesh_table *t);

#endif
