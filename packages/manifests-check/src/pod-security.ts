// The securityContext every job pod must carry: non-root, read-only root
// filesystem, no privilege escalation, no capabilities, RuntimeDefault seccomp.

/** The securityContext fields the baseline reads. */
export interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  privileged?: boolean;
  capabilities?: { drop?: string[]; add?: string[] };
  seccompProfile?: { type?: string };
}

/** The parts of a PodSpec this check reads. */
export interface PodSecurityInput {
  readonly securityContext?: SecurityContext;
  readonly containers?: ReadonlyArray<{ name?: string; securityContext?: SecurityContext }>;
  readonly initContainers?: ReadonlyArray<{ name?: string; securityContext?: SecurityContext }>;
  readonly hostNetwork?: boolean;
  readonly hostPID?: boolean;
}

/** Every way `pod` falls short of the job pod baseline. */
export function podSecurityProblems(pod: PodSecurityInput): string[] {
  const out: string[] = [];
  const podSc = pod.securityContext ?? {};
  if (pod.hostNetwork || pod.hostPID) out.push("hostNetwork/hostPID must not be used");
  const seccomp = podSc.seccompProfile?.type;
  for (const c of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
    const sc = c.securityContext ?? {};
    const who = `container ${c.name ?? "?"}`;
    const nonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot;
    const uid = sc.runAsUser ?? podSc.runAsUser;
    if (nonRoot !== true) out.push(`${who}: runAsNonRoot must be true (pod or container securityContext)`);
    if (uid === undefined || uid === 0) out.push(`${who}: runAsUser must be a non-zero uid`);
    if (sc.readOnlyRootFilesystem !== true) out.push(`${who}: securityContext.readOnlyRootFilesystem must be true`);
    if (sc.allowPrivilegeEscalation !== false) out.push(`${who}: securityContext.allowPrivilegeEscalation must be false`);
    if (sc.privileged === true) out.push(`${who}: must not be privileged`);
    if (!(sc.capabilities?.drop ?? []).includes("ALL")) out.push(`${who}: securityContext.capabilities.drop must include ALL`);
    if ((sc.capabilities?.add ?? []).length > 0) out.push(`${who}: must not add capabilities`);
    const type = sc.seccompProfile?.type ?? seccomp;
    if (type !== "RuntimeDefault" && type !== "Localhost") out.push(`${who}: seccompProfile.type must be RuntimeDefault`);
  }
  return out;
}
