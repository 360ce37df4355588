#include "seccomp.h"
#include "util.h"
#include <errno.h>
#include <seccomp.h>
#include <string.h>

static int
parse_action (json_object *rule, const char *key, uint32_t *action, json_object *errno_ret, struct error *err)
{
  json_object *v;
  const char *name = json_object_object_get_ex (rule, key, &v) ? json_object_get_string (v) : NULL;
  int ret_errno = errno_ret ? json_object_get_int (errno_ret) : EPERM;
  if (name == NULL)
    return fail (err, "config.json: linux.seccomp: `%s` is missing", key);
  if (strcmp (name, "SCMP_ACT_ALLOW") == 0)
    *action = SCMP_ACT_ALLOW;
  else if (strcmp (name, "SCMP_ACT_ERRNO") == 0)
    *action = SCMP_ACT_ERRNO (ret_errno);
  else if (strcmp (name, "SCMP_ACT_KILL") == 0 || strcmp (name, "SCMP_ACT_KILL_THREAD") == 0)
    *action = SCMP_ACT_KILL;
  else if (strcmp (name, "SCMP_ACT_KILL_PROCESS") == 0)
    *action = SCMP_ACT_KILL_PROCESS;
  else if (strcmp (name, "SCMP_ACT_TRAP") == 0)
    *action = SCMP_ACT_TRAP;
  else if (strcmp (name, "SCMP_ACT_LOG") == 0)
    *action = SCMP_ACT_LOG;
  else if (strcmp (name, "SCMP_ACT_TRACE") == 0)
    *action = SCMP_ACT_TRACE (ret_errno);
  else
    return fail (err, "config.json: linux.seccomp: unknown action `%s`", name);
  return 0;
}

static int
parse_op (const char *name, enum scmp_compare *op)
{
  static const struct { const char *name; enum scmp_compare op; } ops[] = {
    { "SCMP_CMP_NE", SCMP_CMP_NE }, { "SCMP_CMP_LT", SCMP_CMP_LT }, { "SCMP_CMP_LE", SCMP_CMP_LE },
    { "SCMP_CMP_EQ", SCMP_CMP_EQ }, { "SCMP_CMP_GE", SCMP_CMP_GE }, { "SCMP_CMP_GT", SCMP_CMP_GT },
    { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
  };
  for (size_t i = 0; name && i < sizeof ops / sizeof ops[0]; i++)
    if (strcmp (ops[i].name, name) == 0)
      {
        *op = ops[i].op;
        return 0;
      }
  return -1;
}

static int
add_rule (scmp_filter_ctx ctx, json_object *rule, size_t index, struct error *err)
{
  json_object *names, *args = NULL, *errno_ret = NULL, *v;
  json_object_object_get_ex (rule, "errnoRet", &errno_ret);
  uint32_t action;
  if (parse_action (rule, "action", &action, errno_ret, err) < 0)
    return -1;
  struct scmp_arg_cmp cmps[6];
  unsigned n_cmps = 0;
  if (json_object_object_get_ex (rule, "args", &args) && args && json_object_is_type (args, json_type_array))
    for (size_t i = 0; i < json_object_array_length (args) && n_cmps < 6; i++)
      {
        json_object *a = json_object_array_get_idx (args, i);
        enum scmp_compare op;
        const char *opname = json_object_object_get_ex (a, "op", &v) ? json_object_get_string (v) : NULL;
        if (parse_op (opname, &op) < 0)
          return fail (err, "config.json: linux.seccomp.syscalls[%zu]: unknown op `%s`", index, opname ? opname : "(none)");
        cmps[n_cmps].arg = json_object_object_get_ex (a, "index", &v) ? json_object_get_int (v) : 0;
        cmps[n_cmps].op = op;
        cmps[n_cmps].datum_a = json_object_object_get_ex (a, "value", &v) ? json_object_get_uint64 (v) : 0;
        cmps[n_cmps].datum_b = json_object_object_get_ex (a, "valueTwo", &v) ? json_object_get_uint64 (v) : 0;
        n_cmps++;
      }
  if (!json_object_object_get_ex (rule, "names", &names) || !json_object_is_type (names, json_type_array))
    return fail (err, "config.json: linux.seccomp.syscalls[%zu].names: expected an array", index);
  for (size_t i = 0; i < json_object_array_length (names); i++)
    {
      const char *name = json_object_get_string (json_object_array_get_idx (names, i));
      int nr = name ? seccomp_syscall_resolve_name (name) : __NR_SCMP_ERROR;
      if (nr == __NR_SCMP_ERROR)
        continue; /* not on this architecture: profiles list syscalls of every arch */
      int ret = seccomp_rule_add_array (ctx, action, nr, n_cmps, cmps);
      /* EEXIST/EACCES-like conflicts with the default action are harmless: skip them. */
      if (ret < 0 && ret != -EEXIST && ret != -EACCES)
        {
          errno = -ret;
          return fail_errno (err, "seccomp rule for `%s`", name);
        }
    }
  return 0;
}

int
seccomp_load_spec (json_object *seccomp, int set_no_new_privs, struct error *err)
{
  if (seccomp == NULL)
    return 0;
  json_object *errno_ret = NULL, *syscalls;
  json_object_object_get_ex (seccomp, "defaultErrnoRet", &errno_ret);
  uint32_t default_action;
  if (parse_action (seccomp, "defaultAction", &default_action, errno_ret, err) < 0)
    return -1;
  scmp_filter_ctx ctx = seccomp_init (default_action);
  if (ctx == NULL)
    return fail (err, "seccomp_init failed");
  int ret = 0;
  if (seccomp_attr_set (ctx, SCMP_FLTATR_CTL_NNP, set_no_new_privs ? 1 : 0) < 0)
    ret = fail (err, "seccomp: cannot set the no_new_privs attribute");
  if (json_object_object_get_ex (seccomp, "syscalls", &syscalls) && json_object_is_type (syscalls, json_type_array))
    for (size_t i = 0; ret == 0 && i < json_object_array_length (syscalls); i++)
      ret = add_rule (ctx, json_object_array_get_idx (syscalls, i), i, err);
  if (ret == 0)
    {
      int r = seccomp_load (ctx);
      if (r < 0)
        {
          errno = -r;
          ret = fail_errno (err, "load the seccomp filter");
        }
    }
  seccomp_release (ctx);
  return ret;
}
