/* The bundle's config.json (OCI runtime-spec 1.0/1.1), parsed once into plain structs. */
#ifndef SWARMTS_SPEC_H
#define SWARMTS_SPEC_H

#include "error.h"
#include <json-c/json.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

struct mount_spec {
  char *destination;
  char *type;
  char *source;
  unsigned long flags;       /* MS_* set by the options */
  unsigned long propagation; /* MS_PRIVATE, MS_SLAVE, ... (with MS_REC), 0 when unset */
  char *data;                /* options the kernel parses itself (mode=755, size=64m) */
  int bind;                  /* bind or rbind */
};

struct namespace_spec {
  int type;   /* CLONE_NEW* */
  char *path; /* join this namespace instead of creating one; NULL to create */
};

struct rlimit_spec {
  const char *name; /* RLIMIT_NOFILE, ... */
  int resource;
  struct rlimit limit;
};

struct caps_spec {
  int present;
  uint64_t bounding, effective, inheritable, permitted, ambient;
};

/* What process.* says: shared by create and exec. */
struct process_spec {
  char **args;
  char **env;
  char *cwd;
  uid_t uid;
  gid_t gid;
  gid_t *additional_gids;
  size_t n_additional_gids;
  int no_new_privileges;
  struct caps_spec caps;
  struct rlimit_spec *rlimits;
  size_t n_rlimits;
  int has_oom_score_adj;
  int oom_score_adj;
};

struct device_rule {
  int allow;
  char type;       /* a, b, c */
  long long major; /* -1 for any */
  long long minor;
  char access[4];
};

struct resources_spec {
  long long memory_limit; /* bytes; -1 unset */
  long long memory_swap;
  long long cpu_quota;    /* microseconds per period; -1 unset */
  long long cpu_period;
  long long cpu_shares;
  long long pids_limit;
  struct device_rule *devices;
  size_t n_devices;
};

struct spec {
  json_object *json;
  char *bundle;
  char *root_path; /* absolute */
  int root_readonly;
  char *hostname;
  struct process_spec process;
  struct mount_spec *mounts;
  size_t n_mounts;
  struct namespace_spec *namespaces;
  size_t n_namespaces;
  char **masked_paths;
  char **readonly_paths;
  struct resources_spec resources;
  char *cgroups_path; /* NULL when unset */
  json_object *seccomp; /* borrowed from json, NULL when unset */
  unsigned long rootfs_propagation;
  json_object *sysctl;
};

/* Loads and checks <bundle>/config.json. */
int spec_load (const char *bundle, struct spec *spec, struct error *err);
/* Parses a process object (config.json's, or exec --process FILE's). */
int process_parse (json_object *process, struct process_spec *out, struct error *err);
/* The namespace of `type` in the spec, or NULL when the spec does not ask for one. */
const struct namespace_spec *spec_namespace (const struct spec *spec, int type);
/* The capability number of "CAP_SYS_ADMIN", -1 if unknown. */
int capability_from_name (const char *name);
/* A signal number from "SIGTERM", "TERM" or "15"; -1 if unknown. */
int signal_from_name (const char *name);

#endif
