/** Double machine learning: single estimates (`estimateDml`) and the study's battery (`runBattery`). */
export { estimateDml, prepareDml, runPrepared, type DmlEstimate, type DmlSpec, type EstimateOptions } from './estimate.ts';
export { runBattery, loadBatterySpec, checkBatterySpec, type BatteryEstimate, type BatteryTable, type BatteryOptions, type BatteryResult, type BatterySpec } from './battery.ts';
export { loadPanel, buildDesign, type PanelData, type Design, type DesignSpec } from './design.ts';
export { createExecutor, defaultThreads, type Executor } from './executor.ts';
export { LEARNERS, learnerHelp, resolveLearnerParams, type LearnerName } from './learners/index.ts';
export { formatSummary } from './summary.ts';
