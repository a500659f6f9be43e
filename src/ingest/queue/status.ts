import { PostgresStore } from '../store/postgres.ts';
import { MonthQueue } from './monthQueue.ts';

/** Progress of distributed ingests, per release: months done (in the store), queued, running, failed. */
export interface ReleaseStatus {
  release: string;
  done: number;
  queued: number;
  running: number;
  failed: number;
}

export async function ingestStatus(db: string): Promise<ReleaseStatus[]> {
  const store = await PostgresStore.open(db);
  let queue: MonthQueue | undefined;
  try {
    queue = await MonthQueue.open(db);
    const byRelease = new Map<string, ReleaseStatus>();
    const entry = (release: string) => {
      let s = byRelease.get(release);
      if (!s) byRelease.set(release, (s = { release, done: 0, queued: 0, running: 0, failed: 0 }));
      return s;
    };
    for (const c of await store.monthCounts()) {
      const s = entry(c.release);
      s.done += c.done;
      s.failed += c.failed;
    }
    // Parked jobs not yet collected are failures the store does not hold yet (or holds already, when
    // a worker recorded its last attempt: those are counted once, from the store).
    for (const [release, c] of await queue.countsByRelease()) {
      const s = entry(release);
      s.queued += c.queued;
      s.running += c.running;
    }
    for (const { job } of await queue.parked()) {
      const zoneSet = await store.findZoneSet(job.zones.hash, job.zones.method);
      const prior = zoneSet && (await store.fileStatus(job.file.release, job.file.year, job.file.month, zoneSet.id));
      if (!prior) entry(job.file.release).failed++;
    }
    return [...byRelease.values()].sort((a, b) => a.release.localeCompare(b.release));
  } finally {
    await queue?.close();
    await store.close();
  }
}

export function formatStatus(rows: ReleaseStatus[]): string {
  if (rows.length === 0) return 'no months recorded or queued\n';
  const header = ['release', 'done', 'running', 'queued', 'failed'];
  const lines = [header, ...rows.map((r) => [r.release, r.done, r.running, r.queued, r.failed].map(String))];
  const widths = header.map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  return lines.map((l) => l.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ')).join('\n') + '\n';
}
