/** The panel stage: yearbook + provincial CO2 -> the study's analysis panel (docs/yearbook.md). */
export { buildPanel, runPanel, writePanel, panelPaths, computeDcp, computeTfee, PANEL_COLUMNS, MODEL_VARIABLES, type PanelResult, type PanelCommandOptions, type BuildInputs } from './build.ts';
export { defaultPanelConfig, parsePanelConfig, readPanelConfig, type PanelConfig, type DcpIndicator } from './config.ts';
export { readYearbook, perpetualInventory, type YearbookData, type FilledCell } from './yearbook.ts';
export type { PanelMeta, InputRef } from './meta.ts';
export { DERIVED_VARIABLES, type OmittedVariable } from './derived.ts';
export { readCell, isMissingCell, type CellValue } from './cells.ts';
export { readCo2 } from './co2.ts';
export { entropyIndex, normalise, ENTROPY_SHIFT } from './entropy.ts';
export { pcaIndex } from './pca.ts';
export { loadHighs, scoreFrontier, type SbmDmu, type SbmScore } from './sbm.ts';
export { synthYearbook, THETA_CEE, THETA_CIWB } from './synth.ts';
export { findProvince, provinceByCode, provinceName, PROVINCES, DEFAULT_SAMPLE_CODES } from '../common/provinces.ts';
export { cee, ciwb, isu, controls, UNITS } from './variables.ts';

