import { it } from 'vitest';
import { openWorkbench } from '../../scripts/headless/harness.ts';
import { buildBackendHarness } from './webgpuHarness/build.ts';
it('debug', async () => {
  const root = await buildBackendHarness();
  const wb = await openWorkbench({ root, webgpu: true, build: false });
  await wb.page.waitForSelector('#status[data-state="ready"]', { state: 'attached' });
  for (const [r, c, m] of [[10, 3, "async"], [600, 8, "async"], [600, 8, "sync"]]) {
    const out = await wb.page.evaluate(([r, c, m]: any) => (window as any).backendChecks.debugWebgpu(r, c, m), [r, c, m]);
    console.log(JSON.stringify(out));
  }
  console.log(wb.consoleErrors.join('\n'));
  await wb.close();
});
