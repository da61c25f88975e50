// What a resources planner produces and what it may ask about the cgroup it plans for.

export interface CgroupWrite {
  /** v1: the controller whose hierarchy holds the file; v2: the controller the file belongs to ('cgroup' for core files). */
  controller: string;
  file: string;
  value: string;
  /** The config field the value comes from, for errors (`linux.resources.memory.limit`). */
  field: string;
  /**
   * Read the file back after writing and fail if the kernel kept something else:
   * 'exact' (it clamps cpu.shares), 'bytes' (a byte limit, which it rounds down to
   * the page size; v1 kernels ≥ 6.x accept memory.kmem.limit_in_bytes and ignore it).
   */
  verify?: 'exact' | 'bytes';
}

/** The planner's questions about the target cgroup; answers come from the CgroupFs. */
export interface PlanView {
  has(controller: string, file: string): boolean;
  read(controller: string, file: string): string | undefined;
}

/** A view that knows nothing: for validating a config before any cgroup exists. */
export const BLIND_VIEW: PlanView = { has: () => true, read: () => undefined };
