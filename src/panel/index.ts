/** The panel stage: yearbook + provincial CO2 -> the study's analysis panel (docs/yearbook.md). */

export { DEFAULT_SAMPLE_CODES, findProvince, PROVINCES, provinceByCode, provinceName } from '../common/provinces.ts';
export {
  type BuildInputs,
  buildPanel,
  computeDcp,
  computeTfee,
  MODEL_VARIABLES,
  PANEL_COLUMNS,
  type PanelCommandOptions,
  type PanelResult,
  panelPaths,
  runPanel,
  writePanel,
} from './build.ts';
export { type CellValue, isMissingCell, readCell } from './cells.ts';
export { readCo2 } from './co2.ts';
export { type DcpIndicator, defaultPanelConfig, type PanelConfig, parsePanelConfig, readPanelConfig } from './config.ts';
export { DERIVED_VARIABLES, type OmittedVariable } from './derived.ts';
export { ENTROPY_SHIFT, entropyIndex, normalise } from './entropy.ts';
export type { InputRef, PanelMeta } from './meta.ts';
export { pcaIndex } from './pca.ts';
export { loadHighs, type SbmDmu, type SbmScore, scoreFrontier } from './sbm.ts';
export { synthYearbook, THETA_CEE, THETA_CIWB } from './synth.ts';
export { cee, ciwb, controls, isu, UNITS } from './variables.ts';
export { type FilledCell, perpetualInventory, readYearbook, type YearbookData } from './yearbook.ts';
