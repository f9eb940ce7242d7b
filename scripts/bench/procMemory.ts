/**
 * Peak memory of the Chromium a child process starts, sampled from /proc (Linux).
 *
 * Why /proc and not the page's own counters: the work runs in dedicated workers (parquet decode, fits) and in
 * wasm memory, which CDP's JSHeapUsedSize of the page does not see, and `performance.measureUserAgentSpecificMemory`
 * needs cross-origin isolation, which the workbench does not have (BROWSER.md). The resident set of the renderer
 * process that hosts the page holds the page, its workers, their wasm memories and typed arrays (and the pages of
 * Chromium's binary it maps, ~100 MB, shared with the other processes).
 */
import { readFileSync, readdirSync } from 'node:fs';

export interface MemorySample {
  /** Date.now() of the sample. */
  t: number;
  /** Resident bytes of the renderer process that hosts the page (its workers and their wasm memories included). */
  renderer: number;
  /** Resident bytes of every Chromium process (browser, GPU, utility, renderers). */
  chromium: number;
  /** Of `renderer`, the pages of files mapped in (RssFile: Chromium's binary and data, shared with its other
   * processes; the rest is the page's own memory). */
  rendererFiles: number;
}

const PAGE = 4096;

function children(): Map<number, number[]> {
  const byParent = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid ...; comm may contain spaces and parentheses: split after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = byParent.get(ppid) ?? [];
      list.push(Number(entry));
      byParent.set(ppid, list);
    } catch {
      /* the process ended meanwhile */
    }
  }
  return byParent;
}

function descendants(root: number): number[] {
  const byParent = children();
  const out: number[] = [];
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    for (const child of byParent.get(pid) ?? []) {
      out.push(child);
      stack.push(child);
    }
  }
  return out;
}

/** RssFile of a process, in bytes (0 when unreadable). */
function residentFiles(pid: number): number {
  try {
    const match = /^RssFile:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export function sampleTree(root: number): MemorySample {
  let renderer = 0;
  let rendererPid = 0;
  let chromium = 0;
  for (const pid of descendants(root)) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmdline.includes('chrom')) continue;
      const resident = Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * PAGE;
      chromium += resident;
      // The page's renderer is the largest one that is not Chromium's own UI: headless Chromium also starts a
      // WebUI renderer for the omnibox popup (--top-chrome-webui, ~150 MB) and keeps a spare renderer for the
      // next navigation (~75 MB, a few MB of it its own), and neither holds the page.
      if (cmdline.includes('--type=renderer') && !cmdline.includes('--top-chrome-webui') && resident > renderer) {
        renderer = resident;
        rendererPid = pid;
      }
    } catch {
      /* ended meanwhile */
    }
  }
  return { t: Date.now(), renderer, chromium, rendererFiles: rendererPid ? residentFiles(rendererPid) : 0 };
}

/** Sample every `intervalMs` until `stop()`; returns every sample taken. */
export function startSampler(root: number, intervalMs = 100): { stop(): MemorySample[] } {
  const samples: MemorySample[] = [];
  const timer = setInterval(() => {
    try {
      samples.push(sampleTree(root));
    } catch {
      /* /proc unreadable: no samples */
    }
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return samples;
    },
  };
}

/** Largest value of `key` over the samples within [from, to] (ms since epoch); null when none fall inside. */
export function peakBetween(samples: MemorySample[], from: number, to: number, key: 'renderer' | 'chromium'): number | null {
  let peak: number | null = null;
  for (const s of samples) {
    if (s.t < from || s.t > to) continue;
    if (peak === null || s[key] > peak) peak = s[key];
  }
  return peak;
}
