/** AWS clients pointed at moto the way a user points btp-aws at LocalStack: an endpoint override. */
import { createAwsClients, type AwsClientOptions, type AwsClients } from "../../src/aws/clients.js";
import { createCallCounter, type CallCounter } from "../../src/aws/call-counter.js";
import { MOTO_CREDENTIALS } from "./moto.js";

export interface TestClients extends AwsClients {
  readonly counter: CallCounter;
}

export function motoClients(endpoint: string, options: Partial<AwsClientOptions> = {}): TestClients {
  const counter = options.counter ?? createCallCounter();
  const clients = createAwsClients({
    region: "eu-west-1",
    userAgentSuffix: "btp-aws/test",
    credentials: () => Promise.resolve(MOTO_CREDENTIALS),
    ...options,
    endpoint,
    counter,
  });
  return Object.assign(clients, { counter });
}
