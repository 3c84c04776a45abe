// The kit's own Docker token server: checks Basic credentials and issues JWTs the real registry accepts.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { SignJWT } from "jose";
import { closeHttpServer, listenOnLoopback, stopOnce } from "./listen.js";
import { parseScopes } from "./token-scope.js";
import type { TokenSigningMaterial } from "./token-cert.js";

/** Which fields the token JSON carries: clients must accept either (Docker spec allows both). */
export type TokenResponseShape = "both" | "token-only" | "access_token-only";

/** Lifetime of issued tokens; long enough that no test sees expiry unless it means to. */
export const TOKEN_TTL_SECONDS = 300;

/** Token server settings: identity claims, credentials, and the response shape to test clients with. */
export interface TokenServerOptions {
  port: number;
  issuer: string;
  service: string;
  username: string;
  password: string;
  signing: TokenSigningMaterial;
  responseShape: TokenResponseShape;
}

/** A running token server: realm URL for the registry config, and the number of tokens requested. */
export interface StartedTokenServer {
  realm: string;
  requests(): number;
  stop(): Promise<void>;
}

function basicCredentials(req: IncomingMessage): { user: string; pass: string } | undefined {
  const h = req.headers.authorization;
  if (!h || !h.toLowerCase().startsWith("basic ")) return undefined;
  const decoded = Buffer.from(h.slice(6).trim(), "base64").toString("utf8");
  const i = decoded.indexOf(":");
  return i < 0 ? undefined : { user: decoded.slice(0, i), pass: decoded.slice(i + 1) };
}

function send(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

/** Starts the token server on 127.0.0.1:`port`; anonymous requests get a token with no access (like Docker Hub). */
export async function startTokenServer(opts: TokenServerOptions): Promise<StartedTokenServer> {
  let count = 0;
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname !== "/token") return send(res, 404, { error: "not found" });
    count += 1;
    const creds = basicCredentials(req);
    if (creds && (creds.user !== opts.username || creds.pass !== opts.password)) {
      res.setHeader("www-authenticate", 'Basic realm="regguard-testkit-token"');
      return send(res, 401, { errors: [{ code: "UNAUTHORIZED", message: "bad credentials" }] });
    }
    const access = creds ? parseScopes(url.searchParams.getAll("scope")) : [];
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ access })
      .setProtectedHeader({ alg: "RS256", typ: "JWT", x5c: [opts.signing.x5c] })
      .setIssuer(opts.issuer)
      .setSubject(creds?.user ?? "")
      .setAudience(url.searchParams.get("service") ?? opts.service) // distribution 2.8 reads a single string
      .setIssuedAt(now)
      .setNotBefore(now - 5)
      .setExpirationTime(now + TOKEN_TTL_SECONDS)
      .setJti(randomUUID())
      .sign(opts.signing.key);
    const body: Record<string, unknown> = { expires_in: TOKEN_TTL_SECONDS, issued_at: new Date(now * 1000).toISOString() };
    if (opts.responseShape !== "access_token-only") body.token = token;
    if (opts.responseShape !== "token-only") body.access_token = token;
    send(res, 200, body);
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => send(res, 500, { error: String(err) }));
  });
  await listenOnLoopback(server, opts.port);
  return {
    realm: `http://127.0.0.1:${opts.port}/token`,
    requests: () => count,
    stop: stopOnce(() => closeHttpServer(server)),
  };
}
