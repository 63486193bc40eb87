'use strict';
/*
 * Preloaded into the Argus process by `npm run bench` (`node --require …/memory-probe.cjs`).
 * - BENCH_MEMORY_LOG=FILE: every 200 ms, appends the process's memory (process.memoryUsage(),
 *   bytes) as one JSON line, so the benchmark can tell the V8 heap from buffers and the rest.
 * - BENCH_ALLOCATION_PROFILE=FILE: samples every allocation (one per 64 KiB on average), kept or
 *   collected, and writes the sampling heap profile (.heapprofile, by allocating stack) at exit:
 *   where the garbage the collector has to catch up with comes from.
 */
const { appendFileSync, writeFileSync } = require('node:fs');
const { isMainThread } = require('node:worker_threads');

// Preloads run in every thread (tsx's loader thread, the embedded emulator's worker): sample once, from the main one.
const file = isMainThread ? process.env.BENCH_MEMORY_LOG : undefined;
if (file) {
  const sample = () => {
    const m = process.memoryUsage();
    appendFileSync(file, `${JSON.stringify({ t: Date.now(), rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers })}\n`);
  };
  setInterval(sample, 200).unref();
}

const profile = isMainThread ? process.env.BENCH_ALLOCATION_PROFILE : undefined;
if (profile) {
  const { Session } = require('node:inspector');
  const session = new Session();
  session.connect();
  session.post('HeapProfiler.startSampling', { samplingInterval: 65536, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  process.on('exit', () => {
    session.post('HeapProfiler.stopSampling', (err, result) => {
      if (!err) writeFileSync(profile, JSON.stringify(result.profile));
    });
  });
}
