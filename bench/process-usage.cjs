// Preloaded by bench/run.ts into each `archpin run` shard and by bench/graph.mjs: prints the
// process's CPU time and peak resident memory (worker threads included) on stderr when it exits.
process.on('exit', () => {
  const usage = process.resourceUsage();
  require('node:fs').writeSync(2, `\nPROCESS_USAGE ${JSON.stringify({ cpuMs: Math.round((usage.userCPUTime + usage.systemCPUTime) / 1000), maxRssKb: usage.maxRSS })}\n`);
});
