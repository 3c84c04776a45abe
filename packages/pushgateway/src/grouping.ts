// The grouping key as a URL path: /metrics/job/<job>/<label>/<value>...
// Values that contain "/" (or are empty) use the Pushgateway's base64url
// form, `<label>@base64/<value>`; anything else is percent-encoded.
import { isLabelName } from "./exposition.js";
import { InvalidGroupError } from "./errors.js";

/** A Pushgateway group: the job and any further grouping labels (e.g. instance). */
export interface Group {
  job: string;
  labels?: Readonly<Record<string, string>>;
}

function segment(name: string, value: string): string {
  if (value === "") return `${name}@base64/=`;
  if (value.includes("/")) return `${name}@base64/${Buffer.from(value, "utf8").toString("base64url")}`;
  return `${name}/${encodeURIComponent(value)}`;
}

/** The path of a group under the Pushgateway's base URL. */
export function groupPath(group: Group): string {
  if (group.job === "") throw new InvalidGroupError("the Pushgateway job must not be empty");
  const parts = [segment("job", group.job)];
  for (const [k, v] of Object.entries(group.labels ?? {})) {
    if (k === "job" || !isLabelName(k)) throw new InvalidGroupError(`grouping label name ${JSON.stringify(k)} is not valid`);
    parts.push(segment(k, v));
  }
  return `/metrics/${parts.join("/")}`;
}

/** All labels of a group as the Pushgateway reports them (job included). */
export function groupLabels(group: Group): Record<string, string> {
  return { job: group.job, ...group.labels };
}
