// Response helpers and the two error dialects: the REST API's JSON (services/context/api.go:
// APIContext.Error / NotFound) and the OCI error document (routers/api/packages/container/errors.go).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { TokenIssuer } from "./auth.js";
import type { FakeStore } from "./store.js";

/** Everything a route handler needs. */
export interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  url: URL;
  /** ROOT_URL with a trailing slash. */
  rootUrl: string;
  store: FakeStore;
  issuer: TokenIssuer;
}

type Headers = Record<string, string | number>;

export function sendBytes(res: ServerResponse, status: number, body: Uint8Array | string, headers: Headers = {}): void {
  const buf = typeof body === "string" ? Buffer.from(body) : body;
  res.writeHead(status, { "Content-Length": buf.byteLength, ...headers });
  res.end(res.req.method === "HEAD" ? undefined : buf);
}

export function sendJson(res: ServerResponse, status: number, obj: unknown, headers: Headers = {}): void {
  sendBytes(res, status, JSON.stringify(obj) + "\n", { "Content-Type": "application/json;charset=utf-8", ...headers });
}

/** http.Error: what `ctx.Error` writes for non-API contexts (plain text, trailing newline). */
export function sendText(res: ServerResponse, status: number, text: string, headers: Headers = {}): void {
  sendBytes(res, status, text + "\n", { "Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff", ...headers });
}

export function sendEmpty(res: ServerResponse, status: number, headers: Headers = {}): void {
  res.writeHead(status, headers);
  res.end();
}

/** APIContext.Error for status != 500: `{"message","url"}` where url is the swagger page. */
export function apiError(ctx: Ctx, status: number, message: string): void {
  sendJson(ctx.res, status, { message, url: `${ctx.rootUrl}api/swagger` });
}

/** APIContext.NotFound. */
export function apiNotFound(ctx: Ctx, ...errors: string[]): void {
  sendJson(ctx.res, 404, { errors, message: "The target couldn't be found.", url: `${ctx.rootUrl}api/swagger` });
}

/** Headers every container response carries (setResponseHeaders in container.go). */
export const OCI_HEADERS = { "Docker-Distribution-Api-Version": "registry/2.0" } as const;

/** apiErrorDefined: the OCI `{"errors":[{code,message}]}` document. */
export function ociError(ctx: Ctx, status: number, code: string, message: string, headers: Headers = {}): void {
  sendJson(ctx.res, status, { errors: [{ code, message }] }, { ...OCI_HEADERS, "Content-Type": "application/json", ...headers });
}

/** Reads the whole body; reports `tooLarge` instead of keeping bytes past `cap`. */
export async function readBody(req: IncomingMessage, cap = Number.MAX_SAFE_INTEGER): Promise<{ body: Buffer; tooLarge: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.byteLength;
    if (size <= cap) chunks.push(chunk);
  }
  return { body: Buffer.concat(chunks), tooLarge: size > cap };
}
