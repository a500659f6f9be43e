import type { DcpIndicator, PanelConfig } from './config.ts';
import type { OmittedVariable } from './derived.ts';
import type { FilledCell } from './yearbookFill.ts';

/** An input file as panel_meta.json records it: the path relative to the metadata file's folder, and its SHA-256. */
export interface InputRef {
  path: string;
  sha256: string;
}

/** What `cger panel` writes to panel_meta.json (the report and other readers use this type). */
export interface PanelMeta {
  cger_version: string;
  inputs: {
    yearbook: InputRef;
    co2: InputRef & { release: string | null };
    config: { path: string | null; sha256: string | null };
  };
  /** The configuration in effect (file or built-in defaults), so the panel can be rebuilt from the metadata. */
  config: PanelConfig;
  sample: { provinces: { code: string; name: string }[]; year_from: number; year_to: number; rows: number };
  /** The derived variables in panel.csv, and those left out with the inputs they lack. */
  variables: { built: string[]; omitted: OmittedVariable[] };
  /** Units of the panel's columns. */
  units: Record<string, string>;
  dcp: {
    method: string;
    n: number;
    indicators: (DcpIndicator & { weight: number; entropy: number; min: number; max: number })[];
    dimension_weights: Record<string, number>;
    pre_sample_year: number;
    pre_sample_dcp: Record<string, number>;
  } | null;
  dcp_pca: { method: string; loadings: Record<string, number>; variance_share: number } | null;
  tfee: {
    model: string;
    returns_to_scale: 'constant';
    orientation: 'non-oriented';
    frontier: PanelConfig['tfee']['frontier'];
    inputs: string[];
    good_outputs: string[];
    bad_outputs: string[];
    efficient_tol: number;
    linear_programs: number;
    efficient_dmus: Record<string, number>;
  } | null;
  /** How capital stock and energy were obtained (null when the yearbook allows neither way). */
  derivations: { capital_stock: string | null; energy_total: string | null };
  env_reg: { median: number; split: string } | null;
  iv: { formula: string; first_year: string; missing: string[] } | null;
  filled_cells: FilledCell[];
  notes: string[];
  warnings: string[];
}
