/**
 * AWS answers in each protocol's own shape: the injected faults (throttling, 5xx) and the
 * answers the proxy serves for moto's gaps. The SDK decides whether to retry from the error code
 * it parses out of these (and from the status), so the shapes follow what AWS sends.
 */
import { randomUUID } from "node:crypto";
import type { Call, Protocol } from "./detect.js";

export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type FaultAnswer = "throttle" | "internal" | "unavailable";

interface ErrorSpec {
  status: number;
  code: string;
  message: string;
}

/** The error each protocol's services answer; EC2 and S3 have their own codes and statuses. */
const FAULTS: Record<Protocol, Record<FaultAnswer, ErrorSpec>> = {
  ec2: {
    throttle: { status: 503, code: "RequestLimitExceeded", message: "Request limit exceeded." },
    internal: { status: 500, code: "InternalError", message: "An internal error has occurred." },
    unavailable: { status: 503, code: "Unavailable", message: "The server is overloaded and can't handle the request." },
  },
  query: {
    throttle: { status: 400, code: "Throttling", message: "Rate exceeded" },
    internal: { status: 500, code: "InternalError", message: "An internal error has occurred." },
    unavailable: { status: 503, code: "ServiceUnavailable", message: "Service is unavailable." },
  },
  "rest-xml": {
    throttle: { status: 400, code: "Throttling", message: "Rate exceeded" },
    internal: { status: 500, code: "InternalError", message: "An internal error has occurred." },
    unavailable: { status: 503, code: "ServiceUnavailable", message: "Service is unavailable." },
  },
  s3: {
    throttle: { status: 503, code: "SlowDown", message: "Please reduce your request rate." },
    internal: { status: 500, code: "InternalError", message: "We encountered an internal error. Please try again." },
    unavailable: { status: 503, code: "ServiceUnavailable", message: "Service is unable to handle request." },
  },
  json: {
    throttle: { status: 400, code: "ThrottlingException", message: "Rate exceeded" },
    internal: { status: 500, code: "InternalError", message: "An internal error has occurred." },
    unavailable: { status: 503, code: "ServiceUnavailable", message: "Service is unavailable." },
  },
  "rest-json": {
    throttle: { status: 400, code: "ThrottlingException", message: "Rate exceeded" },
    internal: { status: 500, code: "InternalError", message: "An internal error has occurred." },
    unavailable: { status: 503, code: "ServiceUnavailable", message: "Service is unavailable." },
  },
};

/**
 * JSON services that kept their query-protocol error codes (the awsQueryCompatible trait): the
 * SDK reads the code from `x-amzn-query-error`, so CloudWatch throttling arrives as "Throttling".
 */
const QUERY_COMPATIBLE: Record<string, Record<FaultAnswer, string>> = {
  monitoring: { throttle: "Throttling;Sender", internal: "InternalServiceError;Receiver", unavailable: "ServiceUnavailable;Receiver" },
};

const escapeXml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** An error answer in the call's protocol. */
export function errorResponse(call: Call, spec: ErrorSpec, queryError?: string): WireResponse {
  const requestId = randomUUID();
  const code = escapeXml(spec.code);
  const message = escapeXml(spec.message);
  const xml = (body: string): WireResponse => ({ status: spec.status, headers: { "content-type": "text/xml", "x-amzn-requestid": requestId }, body: `<?xml version="1.0" encoding="UTF-8"?>\n${body}` });
  switch (call.protocol) {
    case "ec2":
      return xml(`<Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`);
    case "query":
    case "rest-xml": {
      const type = spec.status >= 500 ? "Receiver" : "Sender";
      return xml(`<ErrorResponse><Error><Type>${type}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`);
    }
    case "s3":
      return { ...xml(`<Error><Code>${code}</Code><Message>${message}</Message><RequestId>${requestId}</RequestId><HostId>btp-aws-proxy</HostId></Error>`), headers: { "content-type": "application/xml", "x-amz-request-id": requestId } };
    case "json":
      return {
        status: spec.status,
        headers: { "content-type": call.jsonContentType ?? "application/x-amz-json-1.1", "x-amzn-requestid": requestId, ...(queryError ? { "x-amzn-query-error": queryError } : {}) },
        body: JSON.stringify({ __type: spec.code, message: spec.message }),
      };
    case "rest-json":
      return { status: spec.status, headers: { "content-type": "application/json", "x-amzn-errortype": spec.code, "x-amzn-requestid": requestId }, body: JSON.stringify({ message: spec.message }) };
  }
}

export function faultResponse(call: Call, fault: FaultAnswer): WireResponse {
  return errorResponse(call, FAULTS[call.protocol][fault], QUERY_COMPATIBLE[call.service]?.[fault]);
}

/** A successful JSON answer (the proxy serves only JSON and REST-JSON operations itself). */
export function jsonResponse(call: Call, output: object): WireResponse {
  const contentType = call.protocol === "json" ? (call.jsonContentType ?? "application/x-amz-json-1.1") : "application/json";
  return { status: 200, headers: { "content-type": contentType, "x-amzn-requestid": randomUUID() }, body: JSON.stringify(output) };
}
