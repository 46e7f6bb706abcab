/**
 * `npm run bench`: the comms robots against the sandbox portal, beside a plain one-call-per-item implementation of the
 * same rules, in one process (issue 6; DESIGN "Performance budget"). Prints wall time, HTTP requests (the sandbox's
 * journal: a batch counts once) and batch sub-calls for both, and the ratios. Never asserted in tests.
 *
 *   npm run bench                     the plain sweep runs on the first 1000 companies and is scaled to 10 000
 *   npm run bench -- --sample 2000    … on the first 2000
 *   npm run bench -- --full           the plain sweep over all 10 000 companies (about 6 minutes on a laptop)
 */
import { formatTable, type Row } from './report';
import { baselineDistribute, baselineSweep } from './baseline';
import { DAY, ShiftedClock, startBench, type Bench } from './portal';
import type { RunRecord } from '../src/store/types';
import { withDefaults } from '../robots/comms/settings';

const DISTRIBUTE_COMPANIES = 2000;
const SWEEP_COMPANIES = 10_000;

/** The plain sweep costs the sandbox a full scan per call: by default it runs on a sample and is scaled. */
const DEFAULT_SAMPLE = 1000;

function sampleArg(argv: string[]): number | undefined {
  if (argv.includes('--full')) return undefined;
  const at = argv.indexOf('--sample');
  if (at === -1) return DEFAULT_SAMPLE;
  const n = Number(argv[at + 1]);
  if (!Number.isInteger(n) || n <= 0) throw new Error('--sample needs a whole number of companies, e.g. --sample 2000');
  return n;
}

interface Measured<T> {
  result: T;
  ms: number;
  requests: number;
  subCalls: number;
}

async function measure<T>(bench: Bench, name: string, work: () => Promise<T>): Promise<Measured<T>> {
  const before = bench.journal(name);
  const started = performance.now();
  const result = await work();
  const ms = performance.now() - started;
  const after = bench.journal(name);
  return { result, ms, requests: after.httpRequests - before.httpRequests, subCalls: after.batchSubCalls - before.batchSubCalls };
}

async function main(): Promise<void> {
  const sample = sampleArg(process.argv.slice(2));
  const clock = new ShiftedClock();
  // The portals are made and yesterday's sweep is run a day in the past; the measured runs are "today".
  clock.offsetMs = -DAY;
  const log = (text: string) => process.stdout.write(`${text}\n`);
  log('Preparing the sandbox portals (seed, yesterday’s sweep) …');
  const seedDistribution = { companies: DISTRIBUTE_COMPANIES, managers: 12, activities: false, deals: false };
  const seedSweep = { companies: SWEEP_COMPANIES, managers: 6 };
  const bench = await startBench(
    [
      { name: 'dist-ours', seed: seedDistribution },
      { name: 'dist-plain', seed: seedDistribution },
      { name: 'sweep-ours', seed: seedSweep },
      { name: 'sweep-plain', seed: seedSweep },
    ],
    clock,
  );
  const rows: Row[] = [];
  let coldSweep: Measured<RunRecord> | null = null;
  try {
    // Yesterday: the service was already sweeping daily, so today's sweep is a normal day, not the first ever.
    for (const name of ['sweep-ours', 'sweep-plain']) bench.setLimits(name, 'off');
    const setup = await bench.phase('off');
    const firstSweep = await measure(bench, 'sweep-ours', () => bench.run(setup.worker, 'sweep-ours', 'comms_sweep'));
    await bench.run(setup.worker, 'sweep-plain', 'comms_sweep');
    await setup.close();
    coldSweep = firstSweep;
    clock.offsetMs = 0;

    // 1. Distribution: 2000 companies to the 10 active managers of the 12 in the list (2 absent), 200 each.
    const perManager = DISTRIBUTE_COMPANIES / 10;
    for (const name of ['dist-ours', 'dist-plain']) await bench.saveCommsSettings(name, { perManager });
    bench.setLimits('dist-ours', 'bucket-only');
    const ours = await bench.phase('real');
    const dist = await measure(bench, 'dist-ours', () => bench.run(ours.worker, 'dist-ours', 'calls_distribute'));
    rows.push({
      scenario: `distribute ${DISTRIBUTE_COMPANIES} → 10 managers`,
      impl: 'ours (batch, keyset)',
      limits: 'bucket 50 / 2 per s ON',
      ms: dist.ms,
      requests: dist.requests,
      subCalls: dist.subCalls,
      work: `${String(dist.result.returnValues?.Assigned)} tasks`,
    });

    bench.setLimits('dist-plain', 'off');
    const plain = await bench.phase('off');
    const settings = withDefaults({ perManager });
    const distPlain = await measure(bench, 'dist-plain', () =>
      baselineDistribute(plain.client.forPortal(bench.portal('dist-plain').memberId), settings, clock.now()),
    );
    rows.push({
      scenario: `distribute ${DISTRIBUTE_COMPANIES} → 10 managers`,
      impl: 'plain (1 call per item)',
      limits: 'OFF (see note 2)',
      ms: distPlain.ms,
      requests: distPlain.requests,
      subCalls: distPlain.subCalls,
      work: `${distPlain.result.tasks} tasks`,
    });

    // 2. The daily sweep over 10 000 companies.
    bench.setLimits('sweep-ours', 'real');
    const sweep = await measure(bench, 'sweep-ours', () => bench.run(ours.worker, 'sweep-ours', 'comms_sweep'));
    rows.push({
      scenario: `sweep ${SWEEP_COMPANIES} companies`,
      impl: 'ours (batch, keyset)',
      limits: 'bucket 50 / 2 per s + 480 s operating ON',
      ms: sweep.ms,
      requests: sweep.requests,
      subCalls: sweep.subCalls,
      work: `${String(sweep.result.returnValues?.DealsCreated)} deals, ${String(sweep.result.returnValues?.TasksCreated)} tasks`,
    });

    bench.setLimits('sweep-plain', 'off');
    const sweepPlain = await measure(bench, 'sweep-plain', () =>
      baselineSweep(plain.client.forPortal(bench.portal('sweep-plain').memberId), withDefaults({}), clock.now(), 'Europe/Moscow', {
        limit: sample,
      }),
    );
    // Scaled from the sample: the fixed part (pipeline, list pages) once, the per-company part × 10 000 / sample.
    const sampled = sweepPlain.result.companies;
    const scale = sample ? SWEEP_COMPANIES / sampled : 1;
    const fixed = sweepPlain.result;
    rows.push({
      scenario: `sweep ${SWEEP_COMPANIES} companies`,
      impl: sample ? `plain, ${sampled} sampled → est.` : 'plain (1 call per item)',
      limits: 'OFF (see note 2)',
      ms: fixed.fixedMs + (sweepPlain.ms - fixed.fixedMs) * scale,
      requests: Math.round(fixed.fixedRequests + (sweepPlain.requests - fixed.fixedRequests) * scale),
      subCalls: sweepPlain.subCalls,
      work: `${sweepPlain.result.deals} deals, ${sweepPlain.result.tasks} tasks${sample ? ' (in the sample)' : ''}`,
    });
    await ours.close();
    await plain.close();
  } finally {
    await bench.close();
  }

  log('');
  log(formatTable(rows));
  const [dOurs, dPlain, sOurs, sPlain] = rows;
  log('');
  log('Targets (issue 6):');
  log(`  distribution of ${DISTRIBUTE_COMPANIES} in ≤ 45 requests and under 3 s: ${dOurs.requests} requests, ${(dOurs.ms / 1000).toFixed(2)} s — ${dOurs.requests <= 45 && dOurs.ms < 3000 ? 'met' : 'NOT met'}`);
  log(`  sweep of ${SWEEP_COMPANIES} in ≤ 1/20 of the plain requests: ${sOurs.requests} vs ${sPlain.requests} = 1/${(sPlain.requests / Math.max(1, sOurs.requests)).toFixed(0)} — ${sOurs.requests * 20 <= sPlain.requests ? 'met' : 'NOT met'}`);
  log('');
  log('Notes:');
  log('  1. Each run has its own sandbox portal, seeded alike; HTTP requests and sub-calls come from the sandbox journal');
  log('     (a batch is one request). Wall time is measured in this process, sandbox included, on this machine.');
  log(`  2. The plain runs are made with the portal's limits switched off: with the real bucket (2 requests/s after a burst`);
  log(`     of 50) they would need at least ${Math.round((dPlain.requests - 50) / 2)} s and ${Math.round((sPlain.requests - 50) / 2)} s. The plain distribution's`);
  log(`     request count is exact; the plain sweep's is ${sample ? 'scaled from a sample (note 5)' : 'exact'}.`);
  log('  3. Our distribution runs with the real bucket but the operating-time budget off: 2000 × tasks.task.add at the');
  log('     sandbox’s simulated 0.3 s is 600 s of the 480 s a method may use per 10 minutes, for any implementation.');
  log('     Our sweep runs with both limits on.');
  log('  4. The sweep is a normal day: the portals were swept the day before (not measured), as the daily job does;');
  log('     today’s silent companies are those whose 90 days ran out since. Both implementations apply the same rules.');
  if (coldSweep) {
    const values = coldSweep.result.returnValues ?? {};
    log(`     That first sweep over the neglected base (limits off, not timed) found ${String(values.Silent)} silent companies, created`);
    log(`     ${String(values.DealsCreated)} deals and ${String(values.TasksCreated)} tasks in ${coldSweep.requests} requests (${coldSweep.subCalls} sub-calls).`);
  }
  if (sample) {
    log(`  5. The plain sweep ran on the first ${sample} companies (every call still scans the 10 000-company portal);`);
    log('     its requests and wall time are its fixed part plus the per-company part scaled to 10 000 (--full runs all).');
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exitCode = 1;
});
