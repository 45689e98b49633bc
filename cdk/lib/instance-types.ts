/**
 * The EC2 instance types a sweep may run on, with their vCPUs and memory (EC2 documentation, "Instance
 * type specifications"). A sweep child is one trainer with one actor-learner thread per vCPU, sized for
 * exactly one 16-vCPU instance, so only 16-vCPU x86_64 types are listed: the trainer image is built for
 * linux/amd64, and the 16-vCPU requirement is what lets Batch place one child per instance.
 *
 * The job definition's memory is derived from this table (the smallest memory among the chosen types,
 * less what the ECS agent and the operating system keep), so a type must be here before it can be used.
 */
export interface InstanceTypeSpec {
  readonly vcpus: number;
  readonly memoryGiB: number;
}

export const INSTANCE_TYPE_SPECS = {
  'c5.4xlarge': { vcpus: 16, memoryGiB: 32 },
  'c5a.4xlarge': { vcpus: 16, memoryGiB: 32 },
  'c6i.4xlarge': { vcpus: 16, memoryGiB: 32 },
  'c6a.4xlarge': { vcpus: 16, memoryGiB: 32 },
  'c7i.4xlarge': { vcpus: 16, memoryGiB: 32 },
  'c7a.4xlarge': { vcpus: 16, memoryGiB: 32 },
  'm5.4xlarge': { vcpus: 16, memoryGiB: 64 },
  'm6i.4xlarge': { vcpus: 16, memoryGiB: 64 },
  'm6a.4xlarge': { vcpus: 16, memoryGiB: 64 },
  'm7i.4xlarge': { vcpus: 16, memoryGiB: 64 },
  'm7a.4xlarge': { vcpus: 16, memoryGiB: 64 },
} as const satisfies Record<string, InstanceTypeSpec>;

export type InstanceTypeName = keyof typeof INSTANCE_TYPE_SPECS;

/** vCPUs of one sweep child: the whole instance. */
export const JOB_VCPUS = 16;

/**
 * Memory kept back from the job on every instance: the ECS agent registers less memory than the
 * instance has (the kernel and the agent keep some), and a job asking for more than the registered
 * amount is never placed. 2 GiB leaves a safe margin on 32 GiB instances.
 */
export const MEMORY_RESERVE_MIB = 2048;

export function isInstanceTypeName(name: string): name is InstanceTypeName {
  return Object.hasOwn(INSTANCE_TYPE_SPECS, name);
}

/** Memory for the job definition: below the smallest instance memory among `types`. */
export function jobMemoryMiB(types: readonly InstanceTypeName[]): number {
  if (types.length === 0) throw new Error('instanceTypes must name at least one instance type');
  const smallestMiB = Math.min(...types.map((type) => INSTANCE_TYPE_SPECS[type].memoryGiB * 1024));
  return smallestMiB - MEMORY_RESERVE_MIB;
}
