#include "caps.h"
#include <errno.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The highest capability this kernel knows (it may be older or newer than our headers). */
static int
last_cap (void)
{
  static int last = -1;
  if (last < 0)
    {
      last = CAP_LAST_CAP;
      while (last > 0 && prctl (PR_CAPBSET_READ, last, 0, 0, 0) < 0)
        last--;
    }
  return last;
}

int
caps_drop_bounding (const struct caps_spec *caps, struct error *err)
{
  if (!caps->present)
    return 0;
  for (int cap = 0; cap <= last_cap (); cap++)
    if (!(caps->bounding & (1ULL << cap)) && prctl (PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
      return fail_errno (err, "drop capability %d from the bounding set", cap);
  if (prctl (PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
    return fail_errno (err, "prctl PR_SET_KEEPCAPS");
  return 0;
}

int
caps_set (const struct caps_spec *caps, struct error *err)
{
  if (!caps->present)
    return 0;
  struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
  struct __user_cap_data_struct data[2] = {
    { (uint32_t) caps->effective, (uint32_t) caps->permitted, (uint32_t) caps->inheritable },
    { (uint32_t) (caps->effective >> 32), (uint32_t) (caps->permitted >> 32), (uint32_t) (caps->inheritable >> 32) },
  };
  if (syscall (SYS_capset, &header, data) < 0)
    return fail_errno (err, "capset (effective %#llx, permitted %#llx)", (unsigned long long) caps->effective, (unsigned long long) caps->permitted);
  /* The kernel raises an ambient capability only if it is permitted and inheritable;
   * specs (crun's default one too) often list ambient without inheritable: skip those. */
  uint64_t ambient = caps->ambient & caps->permitted & caps->inheritable;
  for (int cap = 0; cap <= last_cap (); cap++)
    if ((ambient & (1ULL << cap)) && prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
      return fail_errno (err, "raise ambient capability %d", cap);
  if (prctl (PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
    return fail_errno (err, "prctl PR_SET_KEEPCAPS");
  return 0;
}
