/** Policy documents compared by meaning: what lets a re-run leave unchanged IAM policies alone. */
import { describe, expect, it } from "vitest";
import { canonicalPolicy, decodePolicyDocument, parsePolicyDocument, samePolicy } from "../../../src/aws/iam-policy-document.js";

const policy = {
  Version: "2012-10-17",
  Statement: [
    { Sid: "A", Effect: "Allow", Action: ["kms:Encrypt", "kms:Decrypt"], Resource: "arn:aws:kms:eu-west-1:1:key/k" },
    { Sid: "B", Effect: "Allow", Action: "s3:ListBucket", Resource: ["arn:aws:s3:::b"], Condition: { StringEquals: { "a:sub": "x", "a:aud": ["sts.amazonaws.com"] } } },
  ],
};

describe("parsePolicyDocument", () => {
  it("reads plain and URL-encoded JSON, as IAM returns it", () => {
    expect(parsePolicyDocument(JSON.stringify(policy))).toEqual(policy);
    expect(parsePolicyDocument(encodeURIComponent(JSON.stringify(policy)))).toEqual(policy);
    expect(decodePolicyDocument("%7B%22a%22%3A1%7D")).toBe('{"a":1}');
  });

  it("rejects a document that is not an object", () => {
    expect(() => parsePolicyDocument("[1]")).toThrow("an IAM policy document must be a JSON object");
  });
});

describe("samePolicy", () => {
  it("ignores key order, action order, single-item lists and statement order", () => {
    const shuffled = {
      Statement: [
        { Condition: { StringEquals: { "a:aud": "sts.amazonaws.com", "a:sub": ["x"] } }, Resource: "arn:aws:s3:::b", Action: ["s3:ListBucket"], Effect: "Allow", Sid: "B" },
        { Resource: ["arn:aws:kms:eu-west-1:1:key/k"], Action: ["kms:Decrypt", "kms:Encrypt", "kms:Decrypt"], Effect: "Allow", Sid: "A" },
      ],
      Version: "2012-10-17",
    };
    expect(samePolicy(encodeURIComponent(JSON.stringify(shuffled)), policy)).toBe(true);
    expect(samePolicy({ ...policy, Statement: policy.Statement[0] }, { ...policy, Statement: [policy.Statement[0]] })).toBe(true);
  });

  it("sees a different action, resource, condition or effect", () => {
    const first = policy.Statement[0]!;
    const variants = [
      { ...first, Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*"] },
      { ...first, Resource: "*" },
      { ...first, Effect: "Deny" },
      { ...first, Condition: { Bool: { "aws:SecureTransport": "true" } } },
    ];
    for (const variant of variants) expect(samePolicy({ ...policy, Statement: [variant, policy.Statement[1]] }, policy)).toBe(false);
  });

  it("canonicalises nested values without losing non-string lists", () => {
    expect(canonicalPolicy({ b: [2, 1], a: ["y", "x"] })).toEqual({ a: ["x", "y"], b: [1, 2] });
  });
});
