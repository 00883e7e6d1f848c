/**
 * What triage needs to know of deployed endpoints (the deploy feature implements it): which endpoint answers now,
 * and that it was just used (endpoints nobody uses are warned about and removed).
 */
export interface CurrentEndpoint {
  readonly endpointName: string;
  /** The dataset its model was trained on: its labels are the only answers accepted. */
  readonly datasetId: string;
}

export interface DeployedEndpoints {
  /** The most recent InService endpoint logtune deployed, if any. */
  current(): CurrentEndpoint | undefined;
  /** The dataset behind an endpoint logtune deployed (for LOGTUNE_ENDPOINT_NAME / --endpoint), if it knows it. */
  datasetOf(endpointName: string): string | undefined;
  /** A classification used this endpoint now. */
  used(endpointName: string, at: Date): void;
}
