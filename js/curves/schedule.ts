// Yielding to the browser between chart updates (see CurvesView.drain).

interface Scheduler {
  yield(): Promise<void>;
}

function isScheduler(s: unknown): s is Scheduler {
  return typeof s === "object" && s !== null && "yield" in s && typeof s.yield === "function";
}

const yieldChannel = typeof MessageChannel !== "undefined" ? new MessageChannel() : undefined;
const yielded: (() => void)[] = [];
if (yieldChannel) yieldChannel.port1.onmessage = () => yielded.shift()?.();

/** Resolves in a new task (scheduler.yield where the browser has it). */
export function yieldToBrowser(): Promise<void> {
  const sched: unknown = Reflect.get(globalThis, "scheduler");
  if (isScheduler(sched)) return sched.yield();
  if (!yieldChannel) return new Promise((r) => setTimeout(r, 0));
  return new Promise((r) => {
    yielded.push(r);
    yieldChannel.port2.postMessage(0);
  });
}
