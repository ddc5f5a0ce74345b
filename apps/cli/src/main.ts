#!/usr/bin/env node
import { runCli } from './cli';
import { runSweepCli } from './sweep';

const io = {
  out: (line: string) => process.stdout.write(`${line}\n`),
  err: (line: string) => process.stderr.write(`${line}\n`),
  // The sweep's progress bar: redrawn in place on a terminal; on a pipe, a line per tenth.
  progress: process.stderr.isTTY
    ? (line: string | null) => process.stderr.write(line === null ? '\r\x1b[K' : `\r${line}`)
    : progressLines(),
};

function progressLines(): (line: string | null) => void {
  let lastTenth = -1;
  return (line) => {
    const m = line === null ? null : /(\d+)\/(\d+) points/.exec(line);
    if (!m) return;
    const tenth = Math.floor((Number(m[1]) / Number(m[2])) * 10);
    if (tenth !== lastTenth) {
      lastTenth = tenth;
      process.stderr.write(`${line}\n`);
    }
  };
}

const argv = process.argv.slice(2);
if (argv[0] === 'sweep')
  void runSweepCli(argv.slice(1), io).then((status) => {
    process.exitCode = status;
  });
else process.exitCode = runCli(argv, io);
