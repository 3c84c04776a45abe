// A bench measures a job as its image runs it: with the NODE_OPTIONS that
// images/build.sh reads from the job's package.json ("regguard.image.nodeOptions")
// and passes to images/job.Dockerfile.
import { readFileSync } from "node:fs";

/** The image's NODE_OPTIONS for the job whose package.json is at `packageJson` ("" when it sets none). */
export function imageNodeOptions(packageJson: URL): string {
  const pkg = JSON.parse(readFileSync(packageJson, "utf8")) as { regguard?: { image?: { nodeOptions?: string } } };
  return pkg.regguard?.image?.nodeOptions ?? "";
}
