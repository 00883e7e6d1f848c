import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // dist/ for the tests that run the built product (bin/logtune.js, npm start); ~0.2 s, once per run.
    globalSetup: ['test/build/globalSetup.ts'],
    // Integration suites start s3rver and the bot on loopback; every wait inside them is bounded more tightly.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores: more parallel files only make the integration suites contend.
    maxWorkers: 2,
  },
});
