/** What the dr-snapshot moto tests share: the DR bucket policy moto cannot enforce, served from memory. */
import type { S3Client } from "@aws-sdk/client-s3";

/**
 * moto gap: a bucket policy statement with a Condition is evaluated as Deny for every object
 * request (moto has no value for aws:SecureTransport and treats an unmet condition as a denial),
 * so the DR bucket's TLS-only policy would refuse dr-snapshot's own writes. Its PutBucketPolicy and
 * GetBucketPolicy are answered here from memory; the test reads the policy dr-snapshot wrote.
 */
export const policies = new Map<string, string>();
export function servePolicyOf(s3: S3Client, bucket: string): void {
  s3.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { Bucket?: string; Policy?: string };
      if (input.Bucket !== bucket) return next(args);
      if (context.commandName === "PutBucketPolicyCommand") {
        policies.set(bucket, input.Policy ?? "");
        return { output: { $metadata: {} }, response: {} };
      }
      if (context.commandName === "GetBucketPolicyCommand") {
        const policy = policies.get(bucket);
        if (policy === undefined) throw Object.assign(new Error("The bucket policy does not exist"), { name: "NoSuchBucketPolicy", $metadata: { httpStatusCode: 404 } });
        return { output: { $metadata: {}, Policy: policy }, response: {} };
      }
      return next(args);
    },
    { step: "initialize", name: "drTestBucketPolicy" },
  );
}
