// Readiness probes shared by server starters: an HTTP answer (any status) or a status we expect.
import { request } from "undici";

/** True when `url` answers with a status in `ok` (default: any status below 500). */
export async function httpAnswers(url: string, ok: (status: number) => boolean = (s) => s < 500): Promise<boolean> {
  try {
    const res = await request(url, { method: "GET", headersTimeout: 2_000, bodyTimeout: 2_000 });
    await res.body.dump();
    return ok(res.statusCode);
  } catch {
    return false;
  }
}
