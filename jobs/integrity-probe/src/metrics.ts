// Tally -> metric families. Pure. The first six names, their meaning and
// the `instance` label are the contract of the existing alerts
// (RegistryManifestIntegrityFailure, RegistryIntegrityProbeStale,
// RegistryCatalogInaccessible); the rest are bounded extras. `instance` and
// `job` come from the grouping key, so every series carries them.
import { FINDING_KINDS } from "@regguard/oci-client";
import type { MetricFamily } from "@regguard/pushgateway";
import { integrityFailures, type Tally } from "./tally.js";

const P = "registry_manifest_integrity";

/** Every metric name the probe pushes. */
export const METRIC = {
  failures: `${P}_failures`,
  catalogAccessible: `${P}_catalog_accessible`,
  reposChecked: `${P}_repos_checked`,
  tagsChecked: `${P}_tags_checked`,
  indexesChecked: `${P}_indexes_checked`,
  lastRun: `${P}_last_run_timestamp`,
  failuresByKind: `${P}_failures_by_kind`,
  requestErrors: `${P}_request_errors`,
  blobsChecked: `${P}_blobs_checked`,
  manifestsChecked: `${P}_manifests_checked`,
  runDuration: `${P}_run_duration_seconds`,
  lastSuccess: `${P}_last_success_timestamp`,
} as const;

/** What a run's metrics are made of. */
export interface RunFacts {
  tally: Tally;
  /** Epoch milliseconds. */
  startedAt: number;
  finishedAt: number;
  /** Unix seconds of the last completed run (this one if it completed); undefined leaves the series out. */
  lastSuccess: number | undefined;
}

const gauge = (name: string, help: string, value: number): MetricFamily => ({ name, help, type: "gauge", samples: [{ value }] });

/** The families one run pushes, in a fixed order. */
export function probeMetrics(f: RunFacts): MetricFamily[] {
  const t = f.tally;
  const families: MetricFamily[] = [
    gauge(METRIC.failures, "Integrity failures found by the last run (content findings; request errors excluded).", integrityFailures(t)),
    gauge(
      METRIC.catalogAccessible,
      "1 if the last run could read /v2/_catalog (an empty catalog counts), 0 on 401/403/5xx/timeout.",
      t.catalogAccessible ? 1 : 0,
    ),
    gauge(METRIC.reposChecked, "Repositories walked by the last run.", t.repositories),
    gauge(METRIC.tagsChecked, "Tags checked by the last run.", t.tags),
    gauge(METRIC.indexesChecked, "Distinct index manifests (OCI index or Docker manifest list) checked by the last run.", t.indexes),
    gauge(METRIC.lastRun, "Unix time the last run finished, whatever its outcome.", Math.floor(f.finishedAt / 1000)),
    {
      name: METRIC.failuresByKind,
      help: "Findings of the last run by kind; every kind is always present. request_error is the probe failing to ask, not a content failure.",
      type: "gauge",
      samples: FINDING_KINDS.map((kind) => ({ labels: { kind }, value: t.findings[kind] })),
    },
    gauge(METRIC.requestErrors, "Requests of the last run that failed after retries (timeouts, 5xx, refused connections, 401/403).", t.findings.request_error),
    gauge(METRIC.blobsChecked, "Distinct config and layer blobs (per repository) that answered as their descriptor says.", t.blobs),
    gauge(METRIC.manifestsChecked, "Distinct manifests (per repository) served and verified, index children included.", t.manifests),
    gauge(METRIC.runDuration, "Wall time of the last run's walk in seconds.", Math.round(f.finishedAt - f.startedAt) / 1000),
  ];
  if (f.lastSuccess !== undefined) {
    families.push(gauge(METRIC.lastSuccess, "Unix time of the last run that read the catalog and finished its walk (0 = never).", f.lastSuccess));
  }
  return families;
}
