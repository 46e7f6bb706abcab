/**
 * The section B part of `npm run demo` runs end to end on its own sandbox and tells the story it promises.
 */
import { runCommsDemo } from '../../src/demo/comms';

it('the comms demo distributes a week of calls, refuses a rerun, sweeps, and wraps the queue the next Monday', async () => {
  const lines: string[] = [];
  await runCommsDemo({ write: (line) => lines.push(line), companies: 150 });
  const text = lines.join('\n');
  expect(text).toContain('[comms_sweep] Проверено компаний: 150');
  expect(text).toContain('Неделя 2025-W10: распределено компаний — 120');
  expect(text).toContain('повторный запуск ничего не назначает');
  expect(text).toContain('queue: companies #121 … #150, then from the start #1 … #90');
  // Four active managers of six (one on vacation, one on sick leave), 30 each, in both weeks.
  expect(lines.filter((line) => / 30 call tasks /.test(line))).toHaveLength(8);
});
