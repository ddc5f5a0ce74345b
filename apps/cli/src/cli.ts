import { parseArgs } from 'node:util';
import { cliVersion } from './version';

export interface Output {
  out(line: string): void;
  err(line: string): void;
}

/** Exit statuses: 0 done, 2 bad input (arguments or scenario). */
export const EXIT_OK = 0;
export const EXIT_BAD_INPUT = 2;

const usage = `Usage: npm run sim -- <scenario.yaml> [--ticks N] [--format jsonl|table] [--seed N]
       npm run sim -- --version
       npm run sim -- --help`;

/** The headless runner's entry point; returns the exit status. */
export function runCli(argv: string[], io: Output): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        version: { type: 'boolean', short: 'v' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    io.err(`overcommit-sim: ${(error as Error).message}`);
    io.err(usage);
    return EXIT_BAD_INPUT;
  }
  if (parsed.values.version) {
    io.out(cliVersion);
    return EXIT_OK;
  }
  if (parsed.values.help) {
    io.out(usage);
    return EXIT_OK;
  }
  io.err(
    'overcommit-sim: running scenarios arrives with the simulation engine; only --version and --help work yet',
  );
  io.err(usage);
  return EXIT_BAD_INPUT;
}
