/**
 * What an endpoint costs: real-time hosting is billed per instance-second at the on-demand hourly rate
 * (shared/reference/aws.md §4.4). "So far" counts from the endpoint's creation, a few minutes before its instance
 * serves: an upper bound, which is the side to err on for spend.
 */
export interface HostingCost {
  readonly perHourUsd: number;
  readonly perDayUsd: number;
  readonly soFarUsd: number;
}

export function hostingCost(hourlyUsd: number, instanceCount: number, since: Date, now: Date): HostingCost {
  const perHourUsd = hourlyUsd * instanceCount;
  const hours = Math.max(0, now.getTime() - since.getTime()) / 3_600_000;
  return { perHourUsd, perDayUsd: perHourUsd * 24, soFarUsd: perHourUsd * hours };
}
