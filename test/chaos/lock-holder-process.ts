// A lock holder in a process of its own, so that the nemesis can freeze it with SIGSTOP past
// its lease (a long GC pause, a stalled VM): the classic trap that only fencing tokens catch.
// Usage: tsx lock-holder-process.ts <holder> <deadline ms> <client URL>...
// Prints one JSON LockEvent per line.
import { LockHolder } from './lock-client.ts';

const [holder = 'paused', deadline = '0', ...urls] = process.argv.slice(2);
let next = 0;
const lockHolder = new LockHolder({
  holder,
  member: () => urls[next++ % urls.length],
  ttlSeconds: 1,
  writesPerHold: 12,
  trustsItsLease: true,
  pauseBetweenWritesMs: 150,
  report: (event) => process.stdout.write(`${JSON.stringify(event)}\n`),
});
await lockHolder.runUntil(Number(deadline));
