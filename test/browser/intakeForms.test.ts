// The other two ways to give the page a baseline run (SPEC section 1): a .zip of the folder, and the loose files
// (recognised by their names), both through #baseline-files-input. Each must be recognised as the same run as the
// folder pick, with every file listed in #detected-files.
import { readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureOnScreen, openWorkbench, setFiles, tempDir, waitForIntake, type Workbench } from '../../scripts/headless/harness.ts';
import { FIXTURE_BASELINE, requireFixture } from './support.ts';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe.sequential('baseline run as a .zip or as loose files', () => {
  let scratch: string;
  let workbench: Workbench;
  let files: string[];

  beforeAll(async () => {
    requireFixture();
    scratch = tempDir('workbench-intake-');
    files = filesUnder(FIXTURE_BASELINE);
    workbench = await openWorkbench({ build: false });
  });
  afterAll(async () => {
    await workbench?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  async function detectedText(): Promise<string> {
    return ((await workbench.page.locator('#detected-files').first().textContent()) ?? '').replace(/\s+/g, ' ');
  }

  it('recognises a .zip of the run folder', async () => {
    const entries = Object.fromEntries(
      files.map((path) => [`baseline/${relative(FIXTURE_BASELINE, path)}`, new Uint8Array(readFileSync(path))]),
    );
    const zipPath = join(scratch, 'baseline.zip');
    writeFileSync(zipPath, zipSync(entries));
    await workbench.page.goto(workbench.url, { waitUntil: 'load' });
    await ensureOnScreen(workbench.page, '#baseline-files-input', 'intake');
    await setFiles(workbench.page, [zipPath]);
    const intake = await waitForIntake(workbench.page);
    expect(intake.problems).toEqual([]);
    expect(intake.state).toBe('valid');
    const detected = await detectedText();
    for (const path of files) expect(detected).toContain(relative(FIXTURE_BASELINE, path).split('/').pop());
  });

  it('recognises the loose files by their names', async () => {
    await workbench.page.goto(workbench.url, { waitUntil: 'load' });
    await ensureOnScreen(workbench.page, '#baseline-files-input', 'intake');
    await setFiles(workbench.page, files);
    const intake = await waitForIntake(workbench.page);
    expect(intake.problems).toEqual([]);
    expect(intake.state).toBe('valid');
    const detected = await detectedText();
    for (const path of files) expect(detected).toContain(path.split('/').pop());
    expect(workbench.pageErrors).toEqual([]);
  });
});
