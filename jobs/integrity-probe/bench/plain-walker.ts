// A fresh process for the plain walker, as the probe gets one: `node .bench/plain-walker.js URL
// CONCURRENCY` prints {"requests":N,"seconds":S} (the walk only, like the probe's durationSeconds).
import { plainWalk } from "./small.js";

const [url, concurrency] = process.argv.slice(2);
const figures = await plainWalk(url as string, Number(concurrency));
process.stdout.write(`${JSON.stringify(figures)}\n`);
