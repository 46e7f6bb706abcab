import { ShiftedClock, startBench } from './portal';
async function main() {
  const clock = new ShiftedClock();
  const bench = await startBench([{ name: 'dist-ours', seed: { companies: 2000, managers: 12, activities: false, deals: false } }], clock);
  await bench.saveCommsSettings('dist-ours', { perManager: 200 });
  bench.setLimits('dist-ours', 'bucket-only');
  const ours = await bench.phase('real');
  for (let k = 0; k < 3; k++) {
    const t = performance.now();
    const r = await bench.run(ours.worker, 'dist-ours', 'calls_distribute');
    console.log('run', performance.now() - t, r.returnValues);
    clock.offsetMs += 7 * 86400000;
  }
  await ours.close(); await bench.close();
}
main();
