// Preloaded by bench/hostile.mjs: prints the process's peak resident memory (worker threads included) when it exits.
process.on('exit', () => {
  require('node:fs').writeSync(2, `\nPEAK_RSS_KB ${process.resourceUsage().maxRSS}\n`);
});
