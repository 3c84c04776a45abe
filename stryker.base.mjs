// The one StrykerJS configuration every mutated package shares (`pnpm test:mutation`, run by
// scripts/mutation.mjs; not part of CI). A package's stryker.config.mjs names the modules to
// mutate and the test files that may kill them; everything else is decided here, once.
//
// Why these settings (https://stryker-mutator.io/docs/stryker-js/configuration/):
// - perTest coverage: a mutant reruns only the tests that executed its line, not the suite;
// - incremental: a rerun tests only mutants in code or tests that changed since the last run
//   (the file stays in the package's .stryker/, outside git, like a build cache);
// - in place: see below;
// - the vitest runner loads the package's vitest.mutation.config.mjs: the fast test files
//   only, real Forgejo off (REGGUARD_REAL_FORGEJO=off), since a mutant reruns whole files
//   and a server start per rerun would multiply the hour this run is allowed;
// - tests that spawn a built CLI (dist/) cannot see a mutant in src/ and are left out: they
//   would report "survived" for code they never ran.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/** @param {{ mutate: string[] }} pkg */
export function strykerConfig({ mutate }) {
  return {
    testRunner: "vitest",
    // pnpm keeps the runner out of the core's own node_modules: hand Stryker its path.
    plugins: [require.resolve("@stryker-mutator/vitest-runner")],
    vitest: { configFile: "vitest.mutation.config.mjs", related: false },
    coverageAnalysis: "perTest",
    // Static mutants (module-level code: constants, regexes, tables evaluated at import) cannot be
    // traced to a test, so each one reruns every test file: in breakglass they were 18% of the
    // mutants and an estimated 52% of the run (1 h 35 min on two cores). They are reported as
    // Ignored and left out of the score; the constants that matter have their own tests.
    ignoreStatic: true,
    incremental: true,
    incrementalFile: ".stryker/incremental.json",
    // In place, not in a sandbox copy of the package: tests and configs reach the workspace
    // by relative paths (../../vitest.base.mjs, the manifests, the fixtures) that a copy under
    // .stryker/ would break. Stryker restores the sources when it ends, also on Ctrl-C; do not
    // edit or commit the mutated files while it runs (scripts/mutation.mjs checks git first).
    inPlace: true,
    tempDirName: ".stryker/tmp",
    mutate,
    // No type checker: a mutant that would not compile still runs (esbuild strips types) and
    // is judged by the tests like any other; the checker plugin would slow every mutant.
    checkers: [],
    concurrency: 2,
    timeoutMS: 20_000,
    reporters: ["clear-text", "progress", "json"],
    jsonReporter: { fileName: ".stryker/mutation.json" },
    clearTextReporter: { logTests: false, allowColor: false },
    thresholds: { high: 85, low: 70, break: null },
  };
}
