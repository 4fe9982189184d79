import { defineConfig } from "vitest/config";

// `src/lib` is a symlink to `lib/` (pages import the library through it), so tests are looked for in test/ only
// or every test would run twice.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
  },
});
