// Library surface: what tests, the demo and the manifests check import.
export { SYNC_ENV } from "./env-schema.js";
export { loadConfig, SYNC_COMMANDS, type SyncCommand, type SyncConfig } from "./config.js";
export { planNames, targetName, cosignTagsOf, type NamePair, type NamePlan } from "./names.js";
export { ensureTree, newSession, emptyTreeReport, type CopySession, type TreeReport } from "./image-copy.js";
export { syncTag, TAG_STATES, type TagAction, type TagOutcome, type TagState } from "./tag-sync.js";
export { METRIC, syncMetrics } from "./metrics.js";
export { SYNC_EXIT, exitCode, summaryLine } from "./report.js";
export { helpText } from "./help.js";
export { run } from "./run.js";
export { cutoverImages, type CutoverImage, type CutoverNames } from "./cutover-plan.js";
export { CUTOVER_STATES, checkCutoverImage, type CutoverOutcome, type CutoverState } from "./cutover.js";
export { CUTOVER_METRIC, cutoverExitCode, cutoverMetrics, cutoverSummary, type CutoverTally } from "./cutover-run.js";
