// Debian's packages the tests drive, made present before a test runs: Chromium for the browser
// tests (playwright-core never downloads a browser), nginx and docker-compose for the
// deployment's checks and smoke test (no Docker engine needed), prometheus for its promtool,
// python3-socketio for the test with a socket.io client that is not ours (Debian's python3, not
// whichever python3 comes first on the PATH), and a Chinese font so that the browser tests'
// screenshots of the zh-Hans and zh-Hant pages show characters, not boxes.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { onPath } from './redis.mjs';

/** [what the tests call, the Debian package, whether it is here]. */
export const debianTools = [
  ['chromium', 'chromium', () => existsSync(process.env.CHROMIUM_PATH || '/usr/bin/chromium')],
  ['nginx', 'nginx', () => onPath('nginx')],
  ['docker-compose', 'docker-compose', () => onPath('docker-compose')],
  ['promtool', 'prometheus', () => onPath('promtool')],
  [
    'a Chinese font',
    'fonts-wqy-microhei',
    () => existsSync('/usr/share/fonts/truetype/wqy/wqy-microhei.ttc'),
  ],
  [
    'python3-socketio',
    'python3-socketio python3-websocket',
    () =>
      spawnSync('/usr/bin/python3', ['-c', 'import socketio, websocket'], { stdio: 'ignore' })
        .status === 0,
  ],
];

/**
 * Installs the missing packages with apt-get when it can (root, apt-get on the PATH), saying what
 * it installs. Returns null when every tool is here, or the one line that says what is missing
 * and the exact command that installs it.
 */
export function ensureDebianTools(say) {
  const missing = () => debianTools.filter(([, , present]) => !present());
  let absent = missing();
  if (absent.length === 0) return null;
  const packages = absent.flatMap(([, pkg]) => pkg.split(' '));
  const command = `apt-get install -y --no-install-recommends ${packages.join(' ')}`;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (root && onPath('apt-get')) {
    say(`installing Debian's ${packages.join(', ')} (the tests drive them): ${command}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    // No recommends: docker-compose would otherwise bring a Docker engine, prometheus its exporters.
    const steps = [
      ['apt-get', ['update', '-qq']],
      ['apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages]],
    ];
    for (const [cmd, args] of steps) {
      const result = spawnSync(cmd, args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
      if (result.status !== 0) break;
    }
    absent = missing();
    if (absent.length === 0) return null;
  }
  const names = absent.map(([tool]) => tool).join(', ');
  return `missing ${names} (the browser, deployment and client tests drive them); nothing ran. Install: ${root ? '' : 'sudo '}${command}`;
}

/** One line with the versions of the tools found (for the run's log). */
export function debianToolVersions() {
  const first = (cmd, args) => {
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    return `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n')[0] ?? '?';
  };
  return [
    first(process.env.CHROMIUM_PATH || '/usr/bin/chromium', ['--version']),
    first('nginx', ['-v']),
    `docker-compose ${first('docker-compose', ['version', '--short'])}`,
    first('promtool', ['--version']),
  ].join(', ');
}
