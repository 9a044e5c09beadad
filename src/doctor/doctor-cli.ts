import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.ts';
import { loadEnvFile } from '../load-env-file.ts';
import { runDoctor } from './doctor.ts';

const MARK = { pass: 'ok  ', warn: 'WARN', fail: 'FAIL' } as const;

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { user: { type: 'string' }, json: { type: 'boolean' } } });
  let config: ReturnType<typeof loadConfig>;
  try {
    loadEnvFile();
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
  const report = await runDoctor(config.directory, { probeLogin: values.user });
  if (values.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    process.stdout.write(`SSPR doctor: ${config.directory.kind} at ${config.directory.url}\n`);
    for (const f of report.findings) process.stdout.write(`  [${MARK[f.status]}] ${f.name}: ${f.detail}\n`);
    process.stdout.write(report.isHealthy ? '\nAll checks passed.\n' : '\nSome checks FAILED: see above.\n');
  }
  return report.isHealthy ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`doctor crashed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
