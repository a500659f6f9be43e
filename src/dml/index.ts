/** Double machine learning: single estimates (`estimateDml`) and the study's battery (`runBattery`). */
export { estimateDml, prepareDml, runPrepared, type DmlEstimate, type DmlSpec, type EstimateOptions } from './estimate.ts';
export { runBattery, loadBatterySpec, checkBatterySpec, withTrees, type BatteryEstimate, type BatteryTable, type BatteryOptions, type BatteryResult, type BatterySpec, type SkippedCell } from './battery.ts';
export { loadPanel, buildDesign, type PanelData, type Design, type DesignSpec } from './design.ts';
export { createExecutor, defaultThreads, type Executor } from './executor.ts';
export { LEARNERS, learnerHelp, learnerNames, resolveLearnerParams, type LearnerName } from './learners/index.ts';
export { MODELS } from './models/index.ts';
export { parseScenario, DEFAULT_SCENARIO, type Sensitivity, type SensitivityScenario } from './sensitivity.ts';
export { sensitivityBenchmark, type SensitivityBenchmark } from './benchmark.ts';
export { contourSvg } from './contour.ts';
export { parseTuneGrid, type TuneSpec } from './tune.ts';
export { formatSummary } from './summary.ts';
export type { TableStat } from './tables.ts';
