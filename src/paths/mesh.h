/*
 * mesh.h: Pingmesh-style meshes discovered through Redis.  A probe
 * instance with `mesh = "GROUP"` takes as targets the other live members
 * of GROUP; this daemon is a member of every group its probes name.
 *
 * Per group, every third of mesh.ttl, on the daemon's loop:
 *  - heartbeat: SET <prefix>mesh:{G}:member:<name>:<id> <registration> PX ttl,
 *    SADD <prefix>mesh:{G}:members <name>:<id> (keys.h, meshreg.h; the id
 *    is drawn at each start, so two hosts claiming one name are seen as
 *    two entries, never as one key flipping between them);
 *  - results: HSET <prefix>mesh:{G}:results:<name> "<probe>:<peer>" <result>
 *    for the peers whose round ended since the last write, PEXPIRE ttl;
 *  - read: SMEMBERS, then MGET of every registration; the member table
 *    (meshreg.h) adopts members that joined, drops the ones whose key
 *    expired (SREM of the entry), ignores invalid ones and a second id
 *    under a name already adopted, and the
 *    instances' targets are set again when anything changed
 *    (instance_set_targets, targets.h): a member's first address of each
 *    family the instance probes that passes mesh_allow, port mesh_port,
 *    tags peer:<name> and the member's own.
 * Writes go through one Redis writer per group (redis.h: queue, resend,
 * Cluster redirection, Sentinel failover), whose hash tag is the group, so
 * the group's keys live on the one node that serves its slot; reads use
 * redis_query on that writer's connection.  The mesh lives as long as the
 * daemon (across reloads, like the path store): groups are those of the
 * configuration at start.
 */
#ifndef HW_MESH_H
#define HW_MESH_H

#include "conf.h"
#include "hopwatch.h"

struct ev_loop;
struct hw_ctx;

/* Every group of one daemon. */
typedef struct mesh mesh;

/* The mesh of configuration `cfg`: a member named `self` of every group a
 * probe names, registered with mesh.addresses (else the host's addresses,
 * detected at each heartbeat: up interfaces, no loopback, no link-local).
 * NULL when no probe names a group, `self` is not a valid member name
 * (logged), or out of memory. */
mesh *mesh_new(struct ev_loop *loop, const struct hw_config *cfg, const char *self);
/* Start feeding instance `ctx` (its probe names a group the mesh has; a
 * group it does not have, added by a reload, is logged and ignored). */
void mesh_attach(mesh *m, struct hw_ctx *ctx);
/* Stop feeding `ctx` (before it is freed) and delete its results from
 * Redis (a reload that renamed or dropped it), unless the daemon is
 * stopping (mesh_stopping).  NULL m is fine. */
void mesh_detach(mesh *m, struct hw_ctx *ctx);
/* The daemon is stopping: detached instances keep their results (they
 * expire with the registration).  NULL is fine. */
void mesh_stopping(mesh *m);
/* A metric (its name without the prefix, "icmp.loss") of target `t` of a
 * mesh instance, with its n values, whether or not the instance sends it
 * (metric selection never starves the mesh): loss (a gauge, percent) and
 * the round's average RTT (ms: "<plugin>.rtt.avg" when sent, else the
 * mean of the replies' "<plugin>.rtt" values, or path.rtt) are kept for
 * the peer. */
void mesh_metric(mesh *m, struct hw_ctx *ctx, const hw_target *t, const char *name,
                 const double *values, size_t n);
/* The service check that ends a round of `t` (`name` without the prefix):
 * the peer's result of that round is complete. */
void mesh_check(mesh *m, struct hw_ctx *ctx, const hw_target *t, const char *name, hw_status status);
/* Stop and free everything; what is not written yet is lost, and the
 * registrations expire after mesh.ttl (the other members then drop this
 * host).  NULL is fine. */
void mesh_free(mesh *m);

#endif
