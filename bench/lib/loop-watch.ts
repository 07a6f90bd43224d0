// Loaded into a Node.js DUT with `--import` (bench/lib/dut.ts, `loopWatch`): a 20 ms interval timer that
// reports on stderr each turn of the event loop that came more than 100 ms late, as
// `loop-watch late=<ms> at=<epoch ms>`. The benchmark reads the lines back per phase (`loopLateMs` in
// dut.ts), telling the DUT's own blocked turns apart from a late bench or a busy machine.
const PERIOD_MS = 20;
const REPORT_MS = 100;
let last = performance.now();
setInterval(() => {
  const now = performance.now();
  const late = now - last - PERIOD_MS;
  last = now;
  if (late > REPORT_MS)
    process.stderr.write(
      `loop-watch late=${late.toFixed(0)} at=${(performance.timeOrigin + now).toFixed(0)}\n`,
    );
}, PERIOD_MS).unref();
