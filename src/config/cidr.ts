/** IPv4 CIDR arithmetic for the VPC layout: one public and one private subnet per AZ. */

export interface Cidr {
  readonly base: number; // network address as an unsigned 32-bit integer
  readonly prefix: number;
}

/** AWS accepts VPC blocks between /16 and /28; our smallest useful subnet is a /24. */
export const MIN_VPC_PREFIX = 16;
export const MAX_SUBNET_PREFIX = 24;

export function parseCidr(text: string): Cidr | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const base = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  if (base % size !== 0) return undefined; // host bits set: "10.0.0.1/16" is not a network
  return { base, prefix };
}

export function formatCidr({ base, prefix }: Cidr): string {
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(base / 2 ** shift) % 256);
  return `${octets.join(".")}/${prefix}`;
}

/** Prefix each subnet gets when the VPC is split evenly into `count` power-of-two slots. */
export function subnetPrefix(vpcPrefix: number, count: number): number {
  return vpcPrefix + Math.ceil(Math.log2(count));
}

/**
 * Public and private subnet CIDRs for `azCount` zones. Private subnets come first and are
 * the same size as public ones: pods take VPC addresses, so generous private space matters.
 */
export function subnetLayout(vpc: Cidr, azCount: number): { public: string[]; private: string[] } {
  const prefix = subnetPrefix(vpc.prefix, azCount * 2);
  const size = 2 ** (32 - prefix);
  const at = (index: number) => formatCidr({ base: vpc.base + index * size, prefix });
  return {
    private: Array.from({ length: azCount }, (_, i) => at(i)),
    public: Array.from({ length: azCount }, (_, i) => at(azCount + i)),
  };
}

const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"].map((c) => parseCidr(c)!);

export function isPrivateRange(cidr: Cidr): boolean {
  return PRIVATE_RANGES.some((r) => cidr.prefix >= r.prefix && Math.floor(cidr.base / 2 ** (32 - r.prefix)) === r.base / 2 ** (32 - r.prefix));
}
