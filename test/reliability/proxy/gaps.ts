/**
 * moto's EKS, Budgets and Service Quotas gaps served over HTTP, so a child-process CLI pointed at the proxy can
 * run the whole infra phase. The answers come from the same functions the in-process test
 * middlewares use (test/support/*-moto-gaps.ts); this file only decodes the request into the
 * SDK's input shape and encodes the answer in the protocol. State is kept per proxy (per region
 * for EKS, whose ARNs name it).
 */
import { budgetsGapAnswer, createBudgetsMotoGaps, observeBudgets, type BudgetsMotoGaps } from "../../support/budgets-moto-gaps.js";
import { createEksMotoGaps, eksGapAnswer, MotoGapError, type EksMotoGaps, type GapInput } from "../../support/eks-moto-gaps.js";
import { serviceQuotasGapAnswer } from "../../support/service-quotas-moto-gaps.js";
import type { Call, ProxyRequest } from "./detect.js";
import { errorResponse, jsonResponse, type WireResponse } from "./wire.js";

function parseBody(body: Buffer): GapInput {
  if (body.length === 0) return {};
  try {
    const parsed = JSON.parse(body.toString("utf8")) as unknown;
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as GapInput) : {};
  } catch {
    return {};
  }
}

/**
 * The SDK input of a REST-JSON request: path labels, query parameters (by their httpQuery
 * member names; repeated ones as lists) and the JSON body's members.
 */
export function restJsonInput(call: Call, request: ProxyRequest): GapInput {
  const input: GapInput = { ...parseBody(request.body) };
  if (!call.route) return input;
  const query = new URL(request.url, "http://proxy").searchParams;
  for (const key of new Set(query.keys())) {
    const member = call.route.route.queryMembers[key];
    if (member === undefined) continue;
    const values = query.getAll(key);
    input[member] = values.length > 1 ? values : values[0];
  }
  return { ...input, ...call.route.labels };
}

export class GapServer {
  private readonly eks = new Map<string, EksMotoGaps>();
  readonly budgets: BudgetsMotoGaps = createBudgetsMotoGaps();

  /** EKS gap state of a region (tests inspect it like the middleware's). */
  eksState(region: string): EksMotoGaps {
    let state = this.eks.get(region);
    if (!state) this.eks.set(region, (state = createEksMotoGaps()));
    return state;
  }

  /** The answer for a gap operation, or undefined when the call should go to moto. */
  answer(call: Call, request: ProxyRequest): WireResponse | undefined {
    try {
      if (call.service === "eks") {
        const output = eksGapAnswer(this.eksState(call.region), call.region)(call.operation, restJsonInput(call, request));
        return output && jsonResponse(call, output);
      }
      if (call.service === "budgets") {
        const output = budgetsGapAnswer(this.budgets)(call.operation, parseBody(request.body));
        return output && jsonResponse(call, output);
      }
      if (call.service === "servicequotas") {
        const output = serviceQuotasGapAnswer(call.operation, parseBody(request.body));
        return output && jsonResponse(call, output);
      }
    } catch (error) {
      if (error instanceof MotoGapError) return errorResponse(call, { status: error.status, code: error.code, message: error.message });
      throw error;
    }
    return undefined;
  }

  /** After moto answered a call successfully: remember what moto keeps but does not report. */
  observe(call: Call, request: ProxyRequest): void {
    if (call.service === "budgets") observeBudgets(this.budgets, call.operation, parseBody(request.body));
  }
}
