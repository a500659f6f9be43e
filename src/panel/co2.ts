import { parseCsv } from '../common/csv.ts';
import { CgerError } from '../common/errors.ts';
import { didYouMean, findProvince } from '../common/provinces.ts';
import { Problems } from './problems.ts';

/** Provincial CO2 from output/province_year.csv (ingest, aggregate --annual or synth --co2-out). */
export interface Co2Table {
  /** province code -> year -> tonnes CO2 */
  co2: Map<string, Map<number, number>>;
  /** The release the values come from ('' when the file has no release column). */
  release: string;
  /** province code -> year -> number of months summed, when the file says. */
  months: Map<string, Map<number, number>>;
}

/**
 * Columns: `zone_id` (or `id`: GB/T 2260 code or any province name), `year`, `co2_t`, optionally
 * `release` (several releases need `release` to pick one) and `months`.
 */
export function readCo2(text: string, file: string, release?: string): Co2Table {
  const table = parseCsv(text);
  const idCol = table.header.includes('zone_id') ? 'zone_id' : table.header.includes('id') ? 'id' : null;
  const missing = [idCol ? null : 'zone_id', table.header.includes('year') ? null : 'year', table.header.includes('co2_t') ? null : 'co2_t'].filter(Boolean);
  if (missing.length)
    throw new CgerError(
      `${file}: missing column(s) ${missing.join(', ')} (expected the province_year.csv format: release, zone_id, zone_name, year, months, sum_tC, co2_t)`,
    );
  let records = table.records;
  let chosen = '';
  if (table.header.includes('release')) {
    const releases = [...new Set(records.map((r) => r.values.release))].sort();
    if (release !== undefined) {
      if (!releases.includes(release)) throw new CgerError(`${file}: no rows for release ${release} (the file has ${releases.join(', ') || 'none'})`);
      chosen = release;
    } else if (releases.length > 1) {
      throw new CgerError(`${file}: holds several releases (${releases.join(', ')}); choose one with --release`);
    } else chosen = releases[0] ?? '';
    records = records.filter((r) => r.values.release === chosen);
  } else if (release !== undefined) {
    throw new CgerError(`${file}: has no release column, so --release ${release} cannot be applied`);
  }
  const problems = new Problems();
  const co2 = new Map<string, Map<number, number>>();
  const months = new Map<string, Map<number, number>>();
  const seen = new Map<string, number>();
  for (const rec of records) {
    const where = `line ${rec.line}`;
    const id = rec.values[idCol!];
    const prov = findProvince(id);
    if (!prov) {
      problems.add(`column ${idCol}: unknown province ${JSON.stringify(id)}${didYouMean(id)}`, rec.line);
      continue;
    }
    const yearText = rec.values.year;
    if (!/^\d{4}$/.test(yearText)) {
      problems.add(`column year: ${JSON.stringify(yearText)} is not a year`, rec.line);
      continue;
    }
    const year = Number(yearText);
    const key = `${prov.code}/${year}`;
    if (seen.has(key)) {
      problems.add(`${where}: duplicate of line ${seen.get(key)} (${prov.en} ${year})`);
      continue;
    }
    seen.set(key, rec.line);
    const v = Number(rec.values.co2_t);
    if (rec.values.co2_t === '' || !Number.isFinite(v)) {
      problems.add(`column co2_t: ${JSON.stringify(rec.values.co2_t)} is not a number`, rec.line);
      continue;
    }
    if (v < 0) {
      problems.add(`column co2_t: ${v} is negative`, rec.line);
      continue;
    }
    if (!co2.has(prov.code)) co2.set(prov.code, new Map());
    co2.get(prov.code)!.set(year, v);
    if (rec.values.months !== undefined && rec.values.months !== '') {
      if (!months.has(prov.code)) months.set(prov.code, new Map());
      months.get(prov.code)!.set(year, Number(rec.values.months));
    }
  }
  problems.throwIfAny(file, 'problem(s)');
  return { co2, release: chosen, months };
}
