import { createHash, createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { CLUSTER_ID_HEADER, TOKEN_PREFIX, eksToken, execCredential, stsHost, uriEncode } from "../../../src/k8s/eks-token.js";

const AT = new Date("2024-05-01T12:34:56.789Z");
const KEYS = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };

function decode(token: string): URL {
  expect(token.startsWith(TOKEN_PREFIX)).toBe(true);
  const body = token.slice(TOKEN_PREFIX.length);
  // base64url without padding: only the URL-safe alphabet, no "=".
  expect(body).toMatch(/^[A-Za-z0-9_-]+$/);
  return new URL(Buffer.from(body, "base64url").toString("utf8"));
}

const hmac = (key: Buffer | string, data: string) => createHmac("sha256", key).update(data, "utf8").digest();
const sha256 = (data: string) => createHash("sha256").update(data, "utf8").digest("hex");

/**
 * SigV4 query signing written out from AWS's specification, independently of the signer the
 * code uses: if both agree, STS computes the same signature when EKS replays the URL.
 */
function expectedSignature(url: URL, cluster: string, secret: string): string {
  const params = [...url.searchParams.entries()].filter(([k]) => k !== "X-Amz-Signature");
  const canonicalQuery = params
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const canonicalRequest = ["GET", "/", canonicalQuery, `host:${url.host}`, `${CLUSTER_ID_HEADER}:${cluster}`, "", "host;x-k8s-aws-id", sha256("")].join("\n");
  const amzDate = url.searchParams.get("X-Amz-Date")!;
  const day = amzDate.slice(0, 8);
  const region = url.host.split(".")[1]!;
  const scope = `${day}/${region}/sts/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonicalRequest)].join("\n");
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), "sts"), "aws4_request");
  return createHmac("sha256", key).update(stringToSign, "utf8").digest("hex");
}

describe("eksToken", () => {
  it("is a k8s-aws-v1 presigned GetCallerIdentity URL on regional STS, signing the cluster id header", async () => {
    const { token, expiresAt } = await eksToken({ clusterName: "btp-acme", region: "eu-west-1", credentials: () => Promise.resolve(KEYS), now: () => AT });
    const url = decode(token);
    expect(url.protocol).toBe("https:");
    expect(url.host).toBe("sts.eu-west-1.amazonaws.com");
    expect(url.pathname).toBe("/");
    expect(Object.fromEntries(url.searchParams)).toEqual({
      Action: "GetCallerIdentity",
      Version: "2011-06-15",
      "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
      "X-Amz-Credential": "AKIDEXAMPLE/20240501/eu-west-1/sts/aws4_request",
      "X-Amz-Date": "20240501T123456Z",
      "X-Amz-Expires": "60",
      "X-Amz-SignedHeaders": "host;x-k8s-aws-id",
      "X-Amz-Signature": expectedSignature(url, "btp-acme", KEYS.secretAccessKey),
    });
    // 14 minutes, as `aws eks get-token` reports: one minute short of the 15 EKS accepts.
    expect(expiresAt.toISOString()).toBe("2024-05-01T12:48:56.789Z");
  });

  it("carries the session token of temporary credentials, inside the signature", async () => {
    const sessionToken = "IQoJb3JpZ2luX2VjE/+a=long//session==";
    const { token } = await eksToken({ clusterName: "c", region: "us-east-1", credentials: () => Promise.resolve({ ...KEYS, sessionToken }), now: () => AT });
    const url = decode(token);
    expect(url.searchParams.get("X-Amz-Security-Token")).toBe(sessionToken);
    expect(url.search).toContain(`X-Amz-Security-Token=${uriEncode(sessionToken)}`);
    expect(url.searchParams.get("X-Amz-Signature")).toBe(expectedSignature(url, "c", KEYS.secretAccessKey));
  });

  it("is deterministic for the same clock and credentials, and differs per cluster", async () => {
    const make = (clusterName: string) => eksToken({ clusterName, region: "eu-west-1", credentials: () => Promise.resolve(KEYS), now: () => AT });
    const [a, b, other] = await Promise.all([make("one"), make("one"), make("two")]);
    expect(a.token).toBe(b.token);
    expect(other.token).not.toBe(a.token);
  });

  it("asks the credentials provider each time, so refreshed credentials are used", async () => {
    let calls = 0;
    const credentials = () => Promise.resolve({ ...KEYS, accessKeyId: `AKID${++calls}` });
    const first = decode((await eksToken({ clusterName: "c", region: "eu-west-1", credentials, now: () => AT })).token);
    const second = decode((await eksToken({ clusterName: "c", region: "eu-west-1", credentials, now: () => AT })).token);
    expect([first.searchParams.get("X-Amz-Credential"), second.searchParams.get("X-Amz-Credential")]).toEqual(["AKID1/20240501/eu-west-1/sts/aws4_request", "AKID2/20240501/eu-west-1/sts/aws4_request"]);
  });

  it("uses the .com.cn STS host in China regions and honours an endpoint override", async () => {
    expect(stsHost("cn-north-1")).toBe("sts.cn-north-1.amazonaws.com.cn");
    const { token } = await eksToken({ clusterName: "c", region: "eu-west-1", credentials: () => Promise.resolve(KEYS), now: () => AT, endpoint: "https://sts-fips.eu-west-1.amazonaws.com" });
    expect(decode(token).host).toBe("sts-fips.eu-west-1.amazonaws.com");
  });

  it("fails with the provider's error when there are no credentials, naming no secret", async () => {
    const failing = () => Promise.reject(Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" }));
    await expect(eksToken({ clusterName: "c", region: "eu-west-1", credentials: failing })).rejects.toThrow("Could not load credentials from any providers");
  });
});

describe("execCredential", () => {
  it("is the client.authentication.k8s.io/v1beta1 ExecCredential the aws CLI prints", () => {
    expect(execCredential({ token: "k8s-aws-v1.abc", expiresAt: new Date("2024-05-01T12:48:56.789Z") })).toEqual({
      kind: "ExecCredential",
      apiVersion: "client.authentication.k8s.io/v1beta1",
      spec: {},
      status: { expirationTimestamp: "2024-05-01T12:48:56Z", token: "k8s-aws-v1.abc" },
    });
  });
});
