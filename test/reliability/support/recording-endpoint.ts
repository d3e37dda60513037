/**
 * An AWS endpoint that serves nothing: every request is answered 500 and recorded. A run pointed
 * at it through AWS_ENDPOINT_URL that should make no AWS call is checked by `requests` being
 * empty; a run that wrongly went on to call AWS shows up there instead of reaching anything real.
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  /** From the SigV4 credential scope: tells apart runs given different access keys. */
  readonly accessKeyId: string;
  /** "sts", "ec2", … from the same scope. */
  readonly service: string;
  readonly body: string;
  readonly at: number;
}

export interface RecordingEndpoint {
  /** http://127.0.0.1:<port>, for AWS_ENDPOINT_URL. */
  readonly url: string;
  readonly requests: readonly RecordedRequest[];
  close(): Promise<void>;
}

export function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

export async function startRecordingEndpoint(): Promise<RecordingEndpoint> {
  const requests: RecordedRequest[] = [];
  const server = createServer((request, response) => {
    void readBody(request).then(
      (body) => {
        const scope = /Credential=([^/]+)\/[^/]+\/[^/]+\/([^/]+)\//.exec(request.headers.authorization ?? "");
        requests.push({ method: request.method ?? "", url: request.url ?? "", accessKeyId: scope?.[1] ?? "", service: scope?.[2] ?? "", body: body.toString("utf8"), at: Date.now() });
        response.writeHead(500, { "content-type": "text/plain" }).end("recording endpoint: no AWS here");
      },
      () => response.destroy(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** One line per request, for an assertion message that says what was called. */
export function describeRequests(requests: readonly RecordedRequest[]): string[] {
  return requests.map((r) => `${r.service || "?"} ${r.method} ${r.url} ${r.body.slice(0, 80)}`.trim());
}
