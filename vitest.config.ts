import { defineConfig } from 'vitest/config';

// Two groups, one after the other: everything, then the one file that changes the host's
// cgroup layout while it runs (crun's lane), which must have the machine to itself.
const HOST_EXCLUSIVE = ['test/integration/crun-lane.test.ts'];

export default defineConfig({
  test: {
    // Two cores: the integration tests run containers, so keep files from piling up.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: { name: 'conform', include: ['test/**/*.test.ts'], exclude: HOST_EXCLUSIVE, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'host-exclusive', include: HOST_EXCLUSIVE, sequence: { groupOrder: 1 } },
      },
    ],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
