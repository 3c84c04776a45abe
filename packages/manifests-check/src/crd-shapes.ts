// Hand-kept shapes of the custom resources in manifests/, limited to the
// fields their documentation defines and we might use. metadata is checked
// separately against ObjectMeta.
import type { Shape } from "./shape.js";

const strings: Shape = { map: "string" };

const buffering: Shape = {
  object: {
    maxRequestBodyBytes: "integer",
    memRequestBodyBytes: "integer",
    maxResponseBodyBytes: "integer",
    memResponseBodyBytes: "integer",
    retryExpression: "string",
  },
};

/** traefik.io/v1alpha1 Middleware (only the middleware types we use). */
export const MIDDLEWARE: Shape = {
  object: { apiVersion: "string", kind: "string", metadata: "any", spec: { object: { buffering } } },
  required: ["metadata", "spec"],
};

const rule: Shape = {
  object: { alert: "string", record: "string", expr: "string", for: "string", keep_firing_for: "string", labels: strings, annotations: strings },
  required: ["expr"],
};

/** monitoring.coreos.com/v1 PrometheusRule. */
export const PROMETHEUS_RULE: Shape = {
  object: {
    apiVersion: "string",
    kind: "string",
    metadata: "any",
    spec: {
      object: {
        groups: {
          array: {
            object: {
              name: "string",
              interval: "string",
              limit: "integer",
              query_offset: "string",
              labels: strings,
              partial_response_strategy: "string",
              rules: { array: rule },
            },
            required: ["name", "rules"],
          },
        },
      },
      required: ["groups"],
    },
  },
  required: ["metadata", "spec"],
};

const resourceFilter: Shape = {
  object: {
    resources: {
      object: {
        kinds: { array: "string" },
        names: { array: "string" },
        name: "string",
        namespaces: { array: "string" },
        operations: { array: "string" },
        annotations: strings,
        selector: "any",
        namespaceSelector: "any",
      },
    },
    subjects: "any",
    roles: { array: "string" },
    clusterRoles: { array: "string" },
  },
};
const matchBlock: Shape = { object: { any: { array: resourceFilter }, all: { array: resourceFilter } } };

const generate: Shape = {
  object: {
    apiVersion: "string",
    kind: "string",
    name: "string",
    namespace: "string",
    synchronize: "boolean",
    orphanDownstreamOnPolicyDelete: "boolean",
    generateExisting: "boolean",
    data: "any",
    clone: { object: { namespace: "string", name: "string" }, required: ["namespace", "name"] },
    cloneList: "any",
  },
  // Kyverno 1.10 made apiVersion mandatory in generate rules.
  required: ["apiVersion", "kind", "name"],
};

/** kyverno.io/v1 ClusterPolicy (generate rules). */
export const CLUSTER_POLICY: Shape = {
  object: {
    apiVersion: "string",
    kind: "string",
    metadata: "any",
    spec: {
      object: {
        background: "boolean",
        generateExisting: "boolean",
        admission: "boolean",
        useServerSideApply: "boolean",
        webhookTimeoutSeconds: "integer",
        rules: {
          array: {
            object: {
              name: "string",
              match: matchBlock,
              exclude: matchBlock,
              preconditions: "any",
              context: "any",
              generate,
              skipBackgroundRequests: "boolean",
            },
            required: ["name", "match"],
          },
        },
      },
      required: ["rules"],
    },
  },
  required: ["metadata", "spec"],
};

/** Shapes by apiVersion/kind. */
export const CRD_SHAPES: ReadonlyMap<string, Shape> = new Map([
  ["traefik.io/v1alpha1/Middleware", MIDDLEWARE],
  ["monitoring.coreos.com/v1/PrometheusRule", PROMETHEUS_RULE],
  ["kyverno.io/v1/ClusterPolicy", CLUSTER_POLICY],
]);
