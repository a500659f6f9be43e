import { readFileSync } from 'node:fs';
import { parseCsv } from '../common/csv.ts';
import { CgerError } from '../common/errors.ts';
import { createRng, mixSeed } from '../common/random.ts';

/** One split per repetition: `fold[r][i]` in 0..K-1 is observation i's fold in repetition r. */
export interface FoldPlan {
  folds: number;
  fold: Int32Array[];
}

/**
 * Draws R random K-fold splits as scikit-learn's KFold(shuffle=True) does: shuffle, then cut into
 * K consecutive blocks, the first n % K one larger. With clusters the clusters are shuffled and cut,
 * so every cluster lies in one fold. Repetition r uses the stream seeded by (seed, r).
 */
export function drawFolds(n: number, k: number, reps: number, seed: number, cluster?: Int32Array, nClusters = 0): FoldPlan {
  const units = cluster ? nClusters : n;
  const fold: Int32Array[] = [];
  for (let r = 0; r < reps; r++) {
    const rng = createRng(mixSeed(seed, r));
    const perm = Int32Array.from({ length: units }, (_, i) => i);
    for (let i = units - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    const unitFold = new Int32Array(units);
    let pos = 0;
    for (let f = 0; f < k; f++) {
      const size = Math.floor(units / k) + (f < units % k ? 1 : 0);
      for (let s = 0; s < size; s++) unitFold[perm[pos++]] = f;
    }
    fold.push(cluster ? Int32Array.from(cluster, (c) => unitFold[c]) : unitFold);
  }
  return { folds: k, fold };
}

/**
 * Reads a fold file: a `fold` column, or `fold_0..fold_{R-1}`, one row per observation in data
 * order. It may list the estimation sample or, when a --where subsample is taken, every row of
 * the data (`rows` then picks the sample's rows).
 */
export function readFoldFile(path: string, nSample: number, rows: number[], nData: number): FoldPlan {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new CgerError(`cannot read fold file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const table = parseCsv(text);
  const columns = table.header.includes('fold') ? ['fold'] : [];
  if (columns.length === 0) {
    for (let r = 0; table.header.includes(`fold_${r}`); r++) columns.push(`fold_${r}`);
  }
  if (columns.length === 0) throw new CgerError(`fold file ${path} has neither a 'fold' column nor fold_0, fold_1, ... columns`);
  const nRows = table.records.length;
  let pick: number[];
  if (nRows === nSample) pick = Array.from({ length: nSample }, (_, i) => i);
  else if (nRows === nData) pick = rows;
  else
    throw new CgerError(
      `fold file ${path} has ${nRows} rows; expected one per observation (${nSample}${nData !== nSample ? ` in the sample, or ${nData} in the data` : ''})`,
    );
  const fold: Int32Array[] = [];
  let k = 0;
  for (const column of columns) {
    const values = new Int32Array(pick.length);
    pick.forEach((row, i) => {
      const rec = table.records[row];
      const text = rec.values[column];
      const v = Number(text);
      if (text === '' || !Number.isInteger(v) || v < 0) {
        throw new CgerError(`fold file ${path} line ${rec.line}: ${column} '${text}' is not a fold number 0, 1, ...`);
      }
      values[i] = v;
      k = Math.max(k, v + 1);
    });
    fold.push(values);
  }
  return { folds: k, fold };
}

/** Checks that every fold is used and, with clusters, that no cluster straddles two folds. */
export function checkFoldPlan(plan: FoldPlan, source: string, cluster?: Int32Array, clusterNames?: string[]): void {
  plan.fold.forEach((fold, r) => {
    const counts = new Int32Array(plan.folds);
    for (const f of fold) counts[f]++;
    const empty = counts.indexOf(0);
    if (empty >= 0) throw new CgerError(`${source}: fold ${empty} of repetition ${r} has no observations (folds must be 0..${plan.folds - 1})`);
    if (counts.some((c) => c === fold.length))
      throw new CgerError(`${source}: repetition ${r} puts every observation in one fold; nothing is left to train on`);
    if (cluster && clusterNames) {
      const seen = new Int32Array(clusterNames.length).fill(-1);
      for (let i = 0; i < fold.length; i++) {
        const c = cluster[i];
        if (seen[c] >= 0 && seen[c] !== fold[i]) {
          throw new CgerError(
            `${source}: cluster '${clusterNames[c]}' is split across folds ${seen[c]} and ${fold[i]} in repetition ${r}; clustered inference needs each cluster in one fold`,
          );
        }
        seen[c] = fold[i];
      }
    }
  });
}
