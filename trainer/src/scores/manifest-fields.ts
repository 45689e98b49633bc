/**
 * The fields of a sweep manifest (sweeps/<id>/manifest.json, schema in sweep/manifest.ts) that
 * `summarise` reads: a structural type, so that a full `SweepManifest` fits it as it is and tests of
 * the maths need not build the rest.
 */
export type ManifestRunFields = {
  readonly index: number;
  readonly runId: string;
  readonly env: string;
  readonly seed: number;
  /** The hyperparameter point's label, the same across environments and seeds ("base" when there is none). */
  readonly point: string;
  readonly params: Readonly<Record<string, number | string>>;
  /** The run's train config in config-file shape; read for `lr` when the point does not set it. */
  readonly config?: Readonly<Record<string, unknown>>;
};

export type ManifestFields = {
  readonly sweepId: string;
  readonly name: string;
  /** Id of the reference table to normalise with (reference-tables.ts). */
  readonly referenceTable: string;
  readonly runs: readonly ManifestRunFields[];
};
