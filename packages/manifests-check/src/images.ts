// Which of this repository's jobs an image is. CronJobs in manifests/ run only
// the images built from jobs/*, pinned to a version or digest: never a
// third-party image with `apk add` at start-up (docs/design.md, P1), and
// never :latest, whose meaning changes under a running schedule.

/** Where the job images are published. */
export const JOB_IMAGE_PREFIX = "forgejo.viktorbarzin.me/viktor/regguard-";

/** Job directories under jobs/ that ship an image. */
export const JOB_NAMES = ["integrity-probe", "retention", "breakglass", "sync"] as const;

/** A job name. */
export type JobName = (typeof JOB_NAMES)[number];

/** The job an image runs, or a problem explaining why the image is not acceptable. */
export function jobOfImage(image: string): { job: JobName } | { problem: string } {
  if (!image.startsWith(JOB_IMAGE_PREFIX)) {
    return { problem: `image ${image} is not one of this repository's job images (${JOB_IMAGE_PREFIX}<job>)` };
  }
  const m = /^([a-z-]+)(?::([\w][\w.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$/.exec(image.slice(JOB_IMAGE_PREFIX.length));
  if (!m) return { problem: `image ${image} is not a valid reference` };
  const job = m[1] as string;
  if (!(JOB_NAMES as readonly string[]).includes(job)) {
    return { problem: `image ${image}: regguard-${job} is not a job of this repository (${JOB_NAMES.join(", ")})` };
  }
  const tag = m[2];
  if (m[3] === undefined && (tag === undefined || tag === "latest")) {
    return { problem: `image ${image} must be pinned to a version tag or digest, not ${tag ?? "an implicit"} latest` };
  }
  return { job: job as JobName };
}
