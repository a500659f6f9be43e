/** The panel stage: yearbook + provincial CO2 -> the study's analysis panel (docs/design.md §5-6). */
export { buildPanel, runPanel, writePanel, panelPaths, computeDcp, computeTfee, PANEL_COLUMNS, MODEL_VARIABLES, type PanelResult, type PanelCommandOptions, type BuildInputs } from './build.ts';
export { defaultPanelConfig, parsePanelConfig, readPanelConfig, type PanelConfig, type DcpIndicator } from './config.ts';
export { readYearbook, perpetualInventory, type YearbookData, type FilledCell } from './yearbook.ts';
export { readCo2 } from './co2.ts';
export { entropyIndex, normalise, ENTROPY_SHIFT } from './entropy.ts';
export { pcaIndex } from './pca.ts';
export { loadHighs, scoreFrontier, type SbmDmu, type SbmScore } from './sbm.ts';
export { synthYearbook, THETA_CEE, THETA_CIWB } from './synth.ts';
export { findProvince, provinceByCode, PROVINCES, DEFAULT_SAMPLE_CODES } from './provinces.ts';
export { cee, ciwb, isu, controls, UNITS } from './variables.ts';

/** panel_meta.json as `cger panel` writes it: the parts other stages read (it holds more). */
export interface PanelMeta {
  cger_version: string;
  inputs: {
    yearbook: { path: string; sha256: string };
    co2: { path: string; sha256: string; release: string | null };
    config: { path: string | null; sha256: string | null };
  };
  sample: { provinces: Array<{ code: string; name: string }>; year_from: number; year_to: number; rows: number };
  /** Units of the panel's columns, by column name. */
  units: Record<string, string>;
}
