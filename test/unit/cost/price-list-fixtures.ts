/**
 * GetProducts PriceList items as the Price List API returns them (FormatVersion aws_v1): one JSON
 * document a product, with its attributes, its on-demand terms and, for instances, reserved terms
 * the reader must ignore. Shapes follow the Price List API reference and the SDK's
 * GetProductsResponse ("PriceList: a list of JSON strings").
 */

export interface FixtureDimension {
  unit: string;
  usd: string;
  description: string;
  beginRange?: string;
  endRange?: string;
}

export interface FixtureProduct {
  sku: string;
  serviceCode: string;
  productFamily: string;
  attributes: Record<string, string>;
  onDemand: FixtureDimension[];
  /** A 1-year reserved offer priced per hour, to prove only OnDemand is read. */
  reservedUsd?: string;
}

const ON_DEMAND_TERM = "JRTCKXETXF";
const RESERVED_TERM = "4NA7Y494T4";

export function priceListItem(p: FixtureProduct): string {
  const dimensions = Object.fromEntries(p.onDemand.map((d, i) => {
    const rateCode = `${p.sku}.${ON_DEMAND_TERM}.${i === 0 ? "6YS6EN2CT7" : `PGHJ3S3EYE${i}`}`;
    return [rateCode, {
      unit: d.unit, endRange: d.endRange ?? "Inf", description: d.description, appliesTo: [], rateCode,
      beginRange: d.beginRange ?? "0", pricePerUnit: { USD: d.usd },
    }];
  }));
  const terms: Record<string, unknown> = {
    OnDemand: {
      [`${p.sku}.${ON_DEMAND_TERM}`]: { priceDimensions: dimensions, sku: p.sku, effectiveDate: "2026-11-01T00:00:00Z", offerTermCode: ON_DEMAND_TERM, termAttributes: {} },
    },
  };
  if (p.reservedUsd !== undefined) {
    const rateCode = `${p.sku}.${RESERVED_TERM}.6YS6EN2CT7`;
    terms.Reserved = {
      [`${p.sku}.${RESERVED_TERM}`]: {
        priceDimensions: { [rateCode]: { unit: "Hrs", endRange: "Inf", description: "Reserved 1yr No Upfront", appliesTo: [], rateCode, beginRange: "0", pricePerUnit: { USD: p.reservedUsd } } },
        sku: p.sku, effectiveDate: "2026-11-01T00:00:00Z", offerTermCode: RESERVED_TERM,
        termAttributes: { LeaseContractLength: "1yr", OfferingClass: "standard", PurchaseOption: "No Upfront" },
      },
    };
  }
  return JSON.stringify({
    product: { productFamily: p.productFamily, attributes: { servicecode: p.serviceCode, ...p.attributes }, sku: p.sku },
    serviceCode: p.serviceCode,
    terms,
    version: "20261120173025",
    publicationDate: "2026-11-20T17:30:25Z",
  });
}

/** m5.xlarge Linux in eu-west-1, as AmazonEC2 lists it. */
export const EC2_M5_XLARGE_EU_WEST_1: FixtureProduct = {
  sku: "R9EUZG4WMEQMMPAQ",
  serviceCode: "AmazonEC2",
  productFamily: "Compute Instance",
  attributes: {
    regionCode: "eu-west-1", location: "EU (Ireland)", locationType: "AWS Region", instanceType: "m5.xlarge", instanceFamily: "General purpose",
    vcpu: "4", memory: "16 GiB", operatingSystem: "Linux", tenancy: "Shared", preInstalledSw: "NA", capacitystatus: "Used",
    licenseModel: "No License required", usagetype: "EU-BoxUsage:m5.xlarge", operation: "RunInstances",
  },
  onDemand: [{ unit: "Hrs", usd: "0.2140000000", description: "$0.214 per On Demand Linux m5.xlarge Instance Hour" }],
  reservedUsd: "0.1350000000",
};

export const NAT_GATEWAY_EU_WEST_1: FixtureProduct[] = [
  {
    sku: "9FPMYJ6AJ3ZBJVSK", serviceCode: "AmazonEC2", productFamily: "NAT Gateway",
    attributes: { regionCode: "eu-west-1", location: "EU (Ireland)", group: "NGW:NatGateway", groupDescription: "Hourly charge for NAT Gateways", usagetype: "EU-NatGateway-Hours", operation: "NatGateway" },
    onDemand: [{ unit: "Hrs", usd: "0.0480000000", description: "$0.048 per NAT Gateway Hour" }],
  },
];

export const RDS_R6G_LARGE_MULTI_AZ_EU_WEST_1: FixtureProduct = {
  sku: "Q7M7HS6KSDKWKZ2R",
  serviceCode: "AmazonRDS",
  productFamily: "Database Instance",
  attributes: {
    regionCode: "eu-west-1", location: "EU (Ireland)", instanceType: "db.r6g.large", databaseEngine: "PostgreSQL", deploymentOption: "Multi-AZ",
    licenseModel: "No license required", usagetype: "EU-Multi-AZUsage:db.r6g.large", operation: "CreateDBInstance:0014", engineCode: "14",
  },
  onDemand: [{ unit: "Hrs", usd: "0.5020000000", description: "$0.502 per RDS db.r6g.large Multi-AZ instance hour (or partial hour) running PostgreSQL" }],
  reservedUsd: "0.3300000000",
};

/** CloudWatch alarms in eu-west-1: one tier, per alarm-month. */
export const CLOUDWATCH_ALARM_EU_WEST_1: FixtureProduct = {
  sku: "2DJTQPXNZQ4NGPHS", serviceCode: "AmazonCloudWatch", productFamily: "Alarm",
  attributes: { regionCode: "eu-west-1", location: "EU (Ireland)", alarmType: "Standard", usagetype: "EU-CW:AlarmMonitorUsage", operation: "Unknown" },
  onDemand: [{ unit: "Alarms", usd: "0.1000000000", description: "$0.10 per alarm metric month - first 0 alarms" }],
};
