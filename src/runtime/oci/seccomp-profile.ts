/**
 * The default seccomp profile: allow everything except what lets a container reach past
 * its namespaces (mounting, loading kernel modules, rebooting, tracing other processes,
 * new user namespaces, kernel keyrings, bpf, swap, open_by_handle_at), which fails with
 * EPERM, the way Docker's default profile answers a process without those capabilities.
 */

const EPERM = 1;
const CLONE_NEWUSER = 0x10000000;

/** Syscalls refused outright. */
export const deniedSyscalls = [
  'mount', 'umount', 'umount2', 'move_mount', 'open_tree', 'fsopen', 'fsconfig', 'fsmount', 'fspick', 'pivot_root',
  'reboot', 'kexec_load', 'kexec_file_load', 'init_module', 'finit_module', 'delete_module',
  'bpf', 'keyctl', 'add_key', 'request_key', 'ptrace', 'process_vm_readv', 'process_vm_writev',
  'open_by_handle_at', 'name_to_handle_at', 'swapon', 'swapoff', 'acct', 'settimeofday', 'clock_settime',
  'stime', 'adjtimex', 'clock_adjtime', 'iopl', 'ioperm', 'quotactl', 'lookup_dcookie', 'perf_event_open',
  'userfaultfd', 'vhangup', 'nfsservctl', 'get_kernel_syms', 'query_module', 'create_module', 'uselib',
  'syslog',
];

const maskedUserNs = (index: number) => ({ index, value: CLONE_NEWUSER, valueTwo: CLONE_NEWUSER, op: 'SCMP_CMP_MASKED_EQ' });

/** The OCI `linux.seccomp` object. */
export function defaultSeccompProfile(): object {
  return {
    defaultAction: 'SCMP_ACT_ALLOW',
    architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
    syscalls: [
      { names: deniedSyscalls, action: 'SCMP_ACT_ERRNO', errnoRet: EPERM },
      // A new user namespace would give the process every capability inside it.
      { names: ['unshare'], action: 'SCMP_ACT_ERRNO', errnoRet: EPERM, args: [maskedUserNs(0)] },
      { names: ['clone'], action: 'SCMP_ACT_ERRNO', errnoRet: EPERM, args: [maskedUserNs(0)] },
      { names: ['setns'], action: 'SCMP_ACT_ERRNO', errnoRet: EPERM, args: [maskedUserNs(1)] },
      { names: ['setns'], action: 'SCMP_ACT_ERRNO', errnoRet: EPERM, args: [{ index: 1, value: 0, op: 'SCMP_CMP_EQ' }] },
      // clone3 passes its flags in memory a filter cannot read: ENOSYS makes libc fall back to clone.
      { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 },
    ],
  };
}
