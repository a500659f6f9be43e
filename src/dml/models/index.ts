import { irm } from './irm.ts';
import { pliv } from './pliv.ts';
import { plr } from './plr.ts';
import type { DmlModel } from './types.ts';

export type { DmlModel, IrmScore, LearnerRole, ModelOptions, NuisanceSpec, Predictions, ScoreElements, SensitivityElements } from './types.ts';

/** The DML models by name. */
export const MODELS: Record<DmlModel['name'], DmlModel> = { plr, pliv, irm };
