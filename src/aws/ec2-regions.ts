/** Which regions and availability zones the account may use. Read-only. */
import type { EC2Client } from "@aws-sdk/client-ec2";
import { loadSdk } from "./sdk.js";

export interface RegionStatus {
  name: string;
  /** "opt-in-not-required", "opted-in" or "not-opted-in". */
  optInStatus: string;
}

/** Every region of the client's partition, enabled or not (AllRegions), with its opt-in status. */
export async function listRegions(ec2: EC2Client): Promise<RegionStatus[]> {
  const { DescribeRegionsCommand } = await loadSdk("@aws-sdk/client-ec2");
  const { Regions } = await ec2.send(new DescribeRegionsCommand({ AllRegions: true }));
  return (Regions ?? []).flatMap((r) => (r.RegionName ? [{ name: r.RegionName, optInStatus: r.OptInStatus ?? "opt-in-not-required" }] : []));
}

/** Names of the client region's available zones (not Local or Wavelength zones), sorted. */
export async function availabilityZones(ec2: EC2Client): Promise<string[]> {
  const { DescribeAvailabilityZonesCommand } = await loadSdk("@aws-sdk/client-ec2");
  const { AvailabilityZones } = await ec2.send(new DescribeAvailabilityZonesCommand({
    Filters: [{ Name: "zone-type", Values: ["availability-zone"] }, { Name: "state", Values: ["available"] }],
  }));
  return (AvailabilityZones ?? []).flatMap((z) => (z.ZoneName ? [z.ZoneName] : [])).sort();
}
