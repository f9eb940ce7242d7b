/// <reference lib="webworker" />
/** The risk filter's ledger worker: reads and imports a ledger off the page's thread (a thin shell over importJob). */
import { serve } from '../../workers/dispatcher.ts';
import type { Endpoint } from '../../workers/protocol.ts';
import { ledgerFormatOf } from '../../experiments/riskFilter/ledger.ts';
import { runLedgerImport } from '../../experiments/riskFilter/importJob.ts';
import type { LedgerApi } from './ledgerClient.ts';

serve<LedgerApi>(self as unknown as Endpoint, {
  async importLedger(request) {
    if (ledgerFormatOf(request.file, request.bytes) === 'parquet') {
      const { ensureParquetWasm } = await import('../../data/parquetInit.ts');
      await ensureParquetWasm();
    }
    return runLedgerImport(request);
  },
});
