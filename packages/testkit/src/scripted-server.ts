// A scripted HTTP server for protocol edge cases: answers from a handler and records every request.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { closeHttpServer, listenOnLoopback, stopOnce } from "./listen.js";
import type { StartedServer } from "./types.js";

/** A recorded request: lower-case header names, the full body. */
export interface ScriptedRequest {
  method: string;
  path: string;
  headers: Record<string, string | undefined>;
  body: Buffer;
}

/** What to answer: status/headers/body (objects become JSON), a delay, a dropped connection, or a stream. */
export interface ScriptedResponse {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Uint8Array | object;
  delayMs?: number;
  destroy?: boolean;
  bodyStream?: AsyncIterable<Uint8Array>;
}

/** A running scripted server: the requests it saw, in order. */
export interface StartedScriptedServer extends StartedServer {
  requests: ScriptedRequest[];
  host: string;
}

/** Scripted answer producer; may be async (e.g. to wait on a test's signal). */
export type ScriptedHandler = (req: ScriptedRequest) => ScriptedResponse | Promise<ScriptedResponse>;

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function flatHeaders(req: IncomingMessage): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) out[k] = Array.isArray(v) ? v.join(", ") : v;
  return out;
}

async function answer(handler: ScriptedHandler, requests: ScriptedRequest[] | undefined, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const recorded: ScriptedRequest = { method: req.method ?? "GET", path: req.url ?? "/", headers: flatHeaders(req), body: await readBody(req) };
  requests?.push(recorded);
  const r = await handler(recorded);
  if (r.delayMs) await new Promise((done) => setTimeout(done, r.delayMs));
  if (r.destroy) {
    req.socket.destroy();
    return;
  }
  const headers: Record<string, string> = { ...r.headers };
  let body: string | Uint8Array | undefined;
  if (r.body instanceof Uint8Array || typeof r.body === "string") body = r.body;
  else if (r.body !== undefined) {
    body = JSON.stringify(r.body);
    if (!Object.keys(headers).some((k) => k.toLowerCase() === "content-type")) headers["content-type"] = "application/json";
  }
  res.writeHead(r.status ?? 200, headers);
  if (r.bodyStream) {
    for await (const chunk of r.bodyStream) {
      if (!res.write(chunk)) await new Promise((done) => res.once("drain", done));
    }
    res.end();
  } else res.end(body);
}

/**
 * Starts an HTTP server on 127.0.0.1 that answers every request from `handler`; a throwing handler
 * yields 500. `keepRequests: false` records nothing (a server answering 200,000 requests).
 */
export async function startScriptedServer(handler: ScriptedHandler, opts: { keepRequests?: boolean } = {}): Promise<StartedScriptedServer> {
  const requests: ScriptedRequest[] = [];
  const kept = opts.keepRequests === false ? undefined : requests;
  const server = createServer((req, res) => {
    answer(handler, kept, req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end(`scripted handler failed: ${String(err)}`);
    });
  });
  const port = await listenOnLoopback(server);
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requests,
    stop: stopOnce(() => closeHttpServer(server)),
  };
}
