// auths keys are matched by kubelet against the image reference's registry
// part, so they must be exactly host[:port]: a scheme or a path would never
// match and the pull would silently go out anonymously.

const LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
const HOST_RE = new RegExp(`^${LABEL}(?:\\.${LABEL})*(?::(\\d{1,5}))?$`);

/** A problem with one auths key, or undefined when it is usable. */
export function hostProblem(variable: string, host: string): string | undefined {
  const shown = JSON.stringify(host);
  if (host.includes("://")) return `${variable}: ${shown} must not include a scheme; write host[:port] only`;
  if (host.includes("/")) return `${variable}: ${shown} must not include a path; write host[:port] only`;
  if (host.includes("@")) return `${variable}: ${shown} must not include credentials`;
  if (host !== host.toLowerCase()) return `${variable}: ${shown} must be lower-case`;
  const m = HOST_RE.exec(host);
  if (!m) return `${variable}: ${shown} is not a valid host[:port]`;
  const port = m[1];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) {
    return `${variable}: ${shown} has a port outside 1-65535`;
  }
  return undefined;
}
