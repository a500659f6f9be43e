/** Double machine learning: single estimates (`estimateDml`) and the study's battery (`runBattery`). */

export {
  type BatteryEstimate,
  type BatteryOptions,
  type BatteryResult,
  type BatterySpec,
  type BatteryTable,
  checkBatterySpec,
  loadBatterySpec,
  runBattery,
  type SkippedCell,
  withTrees,
} from './battery.ts';
export { type SensitivityBenchmark, sensitivityBenchmark } from './benchmark.ts';
export { contourSvg } from './contour.ts';
export { buildDesign, type Design, type DesignSpec, loadPanel, type PanelData } from './design.ts';
export { type DmlEstimate, type DmlSpec, type EstimateOptions, estimateDml, prepareDml, runPrepared } from './estimate.ts';
export { createExecutor, defaultThreads, type Executor } from './executor.ts';
export { LEARNERS, type LearnerName, learnerHelp, learnerNames, resolveLearnerParams } from './learners/index.ts';
export { MODELS } from './models/index.ts';
export { DEFAULT_SCENARIO, parseScenario, type Sensitivity, type SensitivityScenario } from './sensitivity.ts';
export { formatSummary } from './summary.ts';
export type { TableStat } from './tables.ts';
export { parseTuneGrid, type TuneSpec } from './tune.ts';
