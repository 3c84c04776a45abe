// The S3 client every s3:// destination shares.
import { S3Client } from "@aws-sdk/client-s3";
import type { S3Settings } from "./config.js";

/**
 * Checksums only when the API requires them: with the SDK defaults a
 * streamed PutObject is sent aws-chunked, and MinIO-likes such as s3rver
 * store the framing inside the object (environment.md). Every upload is
 * verified by reading it back instead.
 */
export function createS3Client(s: S3Settings): S3Client {
  // The SDK's multi-line "Node 22 will be required" notice would break the JSON-lines log; Node 20 is this project's runtime.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  return new S3Client({
    region: s.region,
    forcePathStyle: s.forcePathStyle,
    ...(s.endpoint ? { endpoint: s.endpoint.toString() } : {}),
    ...(s.accessKeyId !== undefined && s.secretAccessKey !== undefined
      ? { credentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey } }
      : {}),
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    maxAttempts: 3,
  });
}

/** Whether an SDK error is a 404 (HEAD answers NotFound without a body). */
export function isNotFound(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return err?.$metadata?.httpStatusCode === 404 || err?.name === "NotFound" || err?.name === "NoSuchKey";
}

/**
 * A one-line reason for an SDK error. HEAD answers carry no error body, so the
 * SDK's message is just "UnknownError": the HTTP status is what tells a 403
 * (credentials, policy) from anything else.
 */
export function s3Reason(e: unknown): string {
  const err = e as { message?: string; $metadata?: { httpStatusCode?: number } };
  const status = err?.$metadata?.httpStatusCode;
  const message = err?.message ?? String(e);
  return status === undefined
    ? message
    : `HTTP ${status}${status === 403 ? " (access denied: check S3_ACCESS_KEY_ID/S3_SECRET_ACCESS_KEY and the bucket policy)" : ""}: ${message}`;
}
