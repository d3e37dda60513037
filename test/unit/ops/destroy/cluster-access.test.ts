/** When there is no cluster API to talk to, the Kubernetes stages get the reason instead of an error. */
import { DescribeClusterCommand, EKSClient, ResourceNotFoundException } from "@aws-sdk/client-eks";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, it } from "vitest";
import type { AwsClients } from "../../../../src/aws/clients.js";
import { clusterAccess } from "../../../../src/ops/destroy/cluster-access.js";

const eks = new EKSClient({ region: "eu-west-1", credentials: { accessKeyId: "a", secretAccessKey: "b" } });
const mock = mockClient(eks);
const aws = { region: "eu-west-1", endpoint: undefined, eks: () => Promise.resolve(eks) } as unknown as AwsClients;
const access = () => clusterAccess({ aws, platform: "acme", clusterName: "btp-acme", region: "eu-west-1", profile: undefined, stateDir: "/nonexistent", helm: { find: () => Promise.resolve(undefined), version: () => Promise.reject(new Error("unused")) } });

describe("clusterAccess", () => {
  it("answers absent for a cluster that does not exist or is being deleted, and asks EKS once", async () => {
    mock.reset();
    mock.on(DescribeClusterCommand).rejects(new ResourceNotFoundException({ message: "No cluster found for name: btp-acme.", $metadata: {} }));
    const reach = access();
    expect(await reach()).toEqual({ state: "absent", reason: "EKS cluster btp-acme does not exist: nothing runs in Kubernetes any more" });
    await reach();
    expect(mock.commandCalls(DescribeClusterCommand)).toHaveLength(1);

    mock.reset();
    mock.on(DescribeClusterCommand).resolves({ cluster: { name: "btp-acme", arn: "arn:c", status: "DELETING" } });
    expect(await access()()).toEqual({ state: "absent", reason: "EKS cluster btp-acme is DELETING: its API cannot be used" });
  });
});
