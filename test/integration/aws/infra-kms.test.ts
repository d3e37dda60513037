/** infra/kms against moto: create once, adopt on re-run with zero mutating calls, repair drift. */
import { DeleteAliasCommand, DescribeKeyCommand, DisableKeyRotationCommand, GetKeyRotationStatusCommand, ListAliasesCommand, ListResourceTagsCommand } from "@aws-sdk/client-kms";
import { beforeEach, describe, expect, inject, it } from "vitest";
import { kmsStep } from "../../../src/phases/infra/kms.js";
import { testConfig } from "../../support/config.js";
import { PREPARE_OUTPUTS, infraServices, runStep } from "../../support/infra.js";
import { motoControl } from "../../support/moto.js";

const moto = motoControl(inject("motoEndpoint"));
const config = testConfig({ tags: { team: "chain" } });

describe("infra/kms against moto", () => {
  beforeEach(() => moto.reset());

  it("creates one key with rotation, the alias and the platform tags", async () => {
    const services = infraServices(moto.endpoint);
    const { outputs, report } = await runStep(kmsStep, config, services, PREPARE_OUTPUTS);
    const kms = await services.aws.kms();
    const aliases = (await kms.send(new ListAliasesCommand({}))).Aliases?.filter((a) => a.AliasName === "alias/btp-btp-test") ?? [];
    expect(aliases).toHaveLength(1);
    expect(aliases[0]!.TargetKeyId).toBe(outputs.keyId);
    expect((await kms.send(new GetKeyRotationStatusCommand({ KeyId: String(outputs.keyId) }))).KeyRotationEnabled).toBe(true);
    const tags = (await kms.send(new ListResourceTagsCommand({ KeyId: String(outputs.keyId) }))).Tags ?? [];
    expect(tags).toEqual(expect.arrayContaining([{ TagKey: "btp-aws:platform", TagValue: "btp-test" }, { TagKey: "btp-aws:managed-by", TagValue: "btp-aws" }, { TagKey: "team", TagValue: "chain" }]));
    expect((await kms.send(new DescribeKeyCommand({ KeyId: String(outputs.keyId) }))).KeyMetadata?.KeyManager).toBe("CUSTOMER");
    expect(report.infos).toEqual([`created key ${String(outputs.keyId)} (alias/btp-btp-test), rotation on`]);
    services.aws.destroy();
  });

  it("adopts the key on a re-run with zero mutating calls", async () => {
    const services = infraServices(moto.endpoint);
    const first = await runStep(kmsStep, config, services, PREPARE_OUTPUTS);
    services.aws.counter.reset();
    const second = await runStep(kmsStep, config, services, PREPARE_OUTPUTS, first.outputs);
    expect(second.outputs).toEqual(first.outputs);
    expect(services.aws.counter.mutatingOperations()).toEqual([]);
    expect(second.report.skipped).toEqual([`key ${String(first.outputs.keyId)} (alias/btp-btp-test) exists with rotation on`]);
    services.aws.destroy();
  });

  it("recreates a deleted alias and turns rotation back on, without a new key", async () => {
    const services = infraServices(moto.endpoint);
    const first = await runStep(kmsStep, config, services, PREPARE_OUTPUTS);
    const kms = await services.aws.kms();
    await kms.send(new DeleteAliasCommand({ AliasName: "alias/btp-btp-test" }));
    await kms.send(new DisableKeyRotationCommand({ KeyId: String(first.outputs.keyId) }));
    // No state either: the key is found by its tags.
    const again = await runStep(kmsStep, config, services, PREPARE_OUTPUTS, undefined);
    expect(again.outputs.keyId).toBe(first.outputs.keyId);
    expect(again.report.infos).toEqual([`key ${String(first.outputs.keyId)}: recreated alias alias/btp-btp-test; turned rotation back on`]);
    expect(services.aws.counter.snapshot().byOperation["KMS.CreateKey"]).toBe(1);
    services.aws.destroy();
  });
});
