import {
  briefingTexts,
  type Command,
  commandSchema,
  type ExerciseFrame,
  type Frame,
  type VmFrame,
  type FrameEvent,
  type Scenario,
} from '@overcommit/contracts';
import { loadScenarioFile } from '@overcommit/scenario-files';
import { createCluster, step } from '@overcommit/sim';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';

// The bundled exercises (scenarios/exercises/): each is read as the product
// reads a scenario file, then played through the engine by a team that does
// nothing and by a scripted good team that acts on what the frames show. The
// good team must score higher, by the margin stated here, for the reasons its
// briefing gives.
const dir = join(__dirname, '../../../scenarios/exercises');

function load(file: string): Scenario {
  const loaded = loadScenarioFile(join(dir, file));
  if (!loaded.ok) throw new Error(loaded.errors.map((e) => `${e.path}: ${e.message}`).join('\n'));
  return loaded.scenario;
}

/** A command as a team writes it: the action, without the id and sender the harness adds. */
type Loose<T> = T extends unknown ? Omit<T, 'id' | 'by'> : never;
type Action = Loose<z.input<typeof commandSchema>>;

/** A team: given the tick about to run and the last frame it saw, what it sends. */
/** A tick as the team's script reads it: the frame and the per-VM table. */
type Ticked = Frame & { vms: VmFrame[] };

type Team = (tick: number, seen: Ticked | undefined) => Action[];

const doNothing: Team = () => [];

/** Simulated seconds a team takes to read a new critical alarm before acknowledging it. */
const REACTION_SECONDS = 15;

/**
 * A scripted team: the plan's commands at their ticks, and every critical alarm acknowledged with
 * a note once it has been firing for REACTION_SECONDS (its id read from the frame, as a person would).
 */
function scripted(plan: Record<number, Action[]>): Team {
  return (tick, seen) => [
    ...(plan[tick] ?? []),
    ...(seen?.alarms ?? [])
      .filter(
        (a) =>
          a.severity === 'critical' &&
          a.state === 'firing' &&
          seen!.time - a.firedAt! >= REACTION_SECONDS,
      )
      .map((a): Action => ({
        do: 'ack-alarm',
        target: a.id,
        note: `${a.rule} on ${a.target}: seen, working on it`,
      })),
  ];
}

/** Plays a team until the exercise's time is up (and a few ticks more, to see the score stay final). */
function play(s: Scenario, team: Team): Ticked[] {
  const state = createCluster(s);
  const ticks = s.exercise!.durationSeconds / s.clock.stepSeconds + 5;
  const frames: Ticked[] = [];
  for (let tick = 1; tick <= ticks; tick++) {
    const commands: Command[] = team(tick, frames.at(-1)).map((action, i) =>
      commandSchema.parse({ ...action, id: `t${tick}-${i}`, by: 'team' }),
    );
    const { frame, vms } = step(state, commands, { vmMetrics: true });
    frames.push({ ...frame, vms: vms ?? [] });
  }
  return frames;
}

const at = (frames: Ticked[], tick: number) => frames[tick - 1]!;
/** The score when the exercise's time is up (frames run on a few ticks past it). */
const score = (frames: Ticked[]): ExerciseFrame =>
  frames.find((f) => f.exercise!.finished)!.exercise!;
const objective = (frames: Ticked[], id: string) =>
  score(frames).objectives.find((o) => o.id === id)!;
const host = (f: Ticked, name: string) => f.hosts.find((h) => h.name === name)!;
const vm = (f: Ticked, name: string) => f.vms.find((v) => v.name === name)!;
const allEvents = (frames: Ticked[], type: string): FrameEvent[] =>
  frames.flatMap((f) => f.events).filter((e) => e.type === type);
const refusedByTeam = (frames: Ticked[]) =>
  allEvents(frames, 'command-refused').filter((e) => e.by === 'team');

/** The exercise ends at its duration, and its score stays final after. */
function expectFinishedAtDuration(frames: Ticked[], s: Scenario) {
  const duration = s.exercise!.durationSeconds;
  const first = frames.find((f) => f.exercise!.finished)!;
  expect(first.time).toBe(duration);
  expect(first.exercise!.elapsedSeconds).toBe(duration);
  expect(at(frames, first.tick - 1).exercise!.finished).toBe(false);
  expect(frames.at(-1)!.exercise!.points).toBe(first.exercise!.points);
  expect(frames.at(-1)!.exercise!.objectives).toEqual(first.exercise!.objectives);
  expect(first.exercise!.maxPoints).toBe(100);
}

/** Do-nothing vs good team, the figures a teacher quotes. */
function expectGoodBeatsNothing(
  s: Scenario,
  nothing: Ticked[],
  good: Ticked[],
  { minLoss, minMargin }: { minLoss: number; minMargin: number },
) {
  expectFinishedAtDuration(nothing, s);
  expectFinishedAtDuration(good, s);
  expect(100 - score(nothing).points).toBeGreaterThanOrEqual(minLoss);
  expect(score(good).points).toBeGreaterThan(score(nothing).points);
  expect(score(good).points - score(nothing).points).toBeGreaterThanOrEqual(minMargin);
  // The good team's commands were all carried out.
  expect(refusedByTeam(good)).toEqual([]);
}

/** Every critical alarm acknowledged within the target and resolved within the target. */
function expectGoodResponse(frames: Ticked[]) {
  const r = score(frames).response;
  expect(r.critical).toBeGreaterThan(0);
  expect(r.acknowledged).toBe(r.critical);
  expect(r.resolved).toBe(r.critical);
  expect(r).toMatchObject({ ackMet: true, resolveMet: true, ackWorstSeconds: REACTION_SECONDS });
  // Each acknowledgement carries its note.
  for (const e of allEvents(frames, 'alarm-acked'))
    expect(e['note']).toMatch(/seen, working on it$/);
}

/** Critical alarms left unacknowledged (and, when `resolveMet` is false, open past the target). */
function expectNoResponse(frames: Ticked[], resolveMet: boolean) {
  const r = score(frames).response;
  expect(r.critical).toBeGreaterThan(0);
  expect(r.acknowledged).toBe(0);
  expect(r).toMatchObject({ ackMet: false, resolveMet });
}

describe('bundled exercises', () => {
  it('scenarios/exercises/ holds at least the three exercises, each a valid scenario with an exercise section', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
    expect(files).toEqual(
      expect.arrayContaining(['cpu-contention.yaml', 'memory-pressure.yaml', 'host-failure.yaml']),
    );
    for (const file of files) {
      const s = load(file);
      expect(s.exercise).toBeDefined();
      // Briefed in English, 简体中文 and 繁體中文, each in full.
      const texts = briefingTexts(s.exercise!.briefing);
      expect(Object.keys(texts).sort()).toEqual(['en', 'zh-Hans', 'zh-Hant']);
      for (const text of Object.values(texts)) expect(text.length).toBeGreaterThan(100);
      expect(s.exercise!.objectives.reduce((a, o) => a + o.weight, 0)).toBe(100);
    }
  });

  describe('cpu-contention: ready time after a spike', () => {
    const s = load('cpu-contention.yaml');
    const moveThreeWebs = (to?: string): Action[] =>
      ['web-04', 'web-05', 'web-06'].map((target) => ({ do: 'migrate-vm', target, to }));
    const vcpusPerCore: Action[] = [{ do: 'set-policy', policy: { cpuAllocationRatio: 1 } }];
    const nothing = play(s, doNothing);
    // Half a minute into the spike: move three web VMs to the spare host; then, before the
    // autoscaler's VMs arrive at t = 360 s, keep vCPUs to one per core.
    const good = play(s, scripted({ 150: moveThreeWebs('spare-01'), 200: vcpusPerCore }));

    it('the good team scores at least 50 points more; doing nothing loses at least 55 of 100', () => {
      expectGoodBeatsNothing(s, nothing, good, { minLoss: 55, minMargin: 50 });
    });

    it('the trouble is in the frames before the good team acts: the web VMs wait, critically', () => {
      const seen = at(good, 149);
      expect(vm(seen, 'web-01').cpuReadyPct).toBeGreaterThan(10);
      expect(host(seen, 'esx-01').cpuUsagePct).toBe(100);
      expect(seen.alarms).toContainEqual(
        expect.objectContaining({ rule: 'vm-cpu-ready', target: 'web-01', severity: 'critical' }),
      );
    });

    it('doing nothing: ready over 5% from the spike on, the new VMs on the databases’ host', () => {
      expect(objective(nothing, 'ready').heldPct).toBeLessThanOrEqual(21);
      expect(objective(nothing, 'performance').heldPct).toBeLessThanOrEqual(21);
      expect(objective(nothing, 'host-headroom').heldPct).toBeLessThanOrEqual(21);
      expect(objective(nothing, 'keep-running')).toMatchObject({ heldPct: 100, violations: 0 });
      const placed = allEvents(nothing, 'vm-placed').filter((e) => e.time >= 359);
      expect(placed.map((e) => e['host'])).toEqual(['esx-02', 'esx-02', 'esx-02', 'esx-02']);
      expect(vm(nothing.at(-1)!, 'db-01').cpuReadyPct).toBeGreaterThan(5);
      expectNoResponse(nothing, false);
    });

    it('the good team: migration ends the wait, the ratio sends the new VMs to free cores', () => {
      expect(objective(good, 'ready').heldPct).toBeGreaterThanOrEqual(92);
      expect(objective(good, 'performance').heldPct).toBeGreaterThanOrEqual(92);
      expect(objective(good, 'host-headroom').heldPct).toBeGreaterThanOrEqual(92);
      expect(objective(good, 'keep-running')).toMatchObject({ heldPct: 100, violations: 0 });
      // From a few seconds after the migrations to the end, every objective holds.
      for (const f of good.slice(170, 600))
        expect(f.exercise!.objectives.every((o) => o.holding)).toBe(true);
      const last = good.at(-1)!;
      for (const name of ['web-04', 'web-05', 'web-06'])
        expect(vm(last, name).host).toBe('spare-01');
      expect(vm(last, 'web-07').host).not.toBe('esx-02');
      expectGoodResponse(good);
    });

    it('either cure alone is not enough, and a migration without a destination goes to the packed host', () => {
      const migrationOnly = play(s, scripted({ 150: moveThreeWebs('spare-01') }));
      const policyOnly = play(s, scripted({ 200: vcpusPerCore }));
      const anywhere = play(s, scripted({ 150: moveThreeWebs(), 200: vcpusPerCore }));
      expect(objective(migrationOnly, 'ready').heldPct).toBeLessThan(60);
      expect(objective(policyOnly, 'ready').heldPct).toBeLessThanOrEqual(21);
      expect(allEvents(anywhere, 'migration-started').map((e) => e['to'])).toEqual([
        'esx-02',
        'esx-02',
        'esx-02',
      ]);
      for (const half of [migrationOnly, policyOnly, anywhere])
        expect(score(half).points).toBeLessThan(score(good).points - 25);
    });
  });

  describe('memory-pressure: ballooning, then swapping', () => {
    const s = load('memory-pressure.yaml');
    const nothing = play(s, doNothing);
    // Once esx-01 is seen ballooning, move two cache VMs to the quiet host.
    const good = play(
      s,
      scripted({
        265: ['cache-04', 'cache-05'].map((target) => ({ do: 'migrate-vm', target, to: 'esx-03' })),
      }),
    );

    it('the good team scores at least 30 points more; doing nothing loses at least 35 of 100', () => {
      expectGoodBeatsNothing(s, nothing, good, { minLoss: 35, minMargin: 30 });
    });

    it('the trouble is in the frames before the good team acts: esx-01 balloons, nothing swaps yet', () => {
      const seen = host(at(good, 264), 'esx-01');
      expect(seen.balloonMiB).toBeGreaterThan(1024);
      expect(seen.swapUsedMiB).toBe(0);
      // The first balloon appeared after the import (t = 200 s), not before.
      const first = nothing.find((f) => host(f, 'esx-01').balloonMiB > 0)!;
      expect(first.time).toBeGreaterThan(200);
      expect(first.time).toBeLessThan(264);
    });

    it('doing nothing: the guests slow under the balloon, and the change at t = 360 s makes esx-01 swap', () => {
      expect(objective(nothing, 'no-swap').heldPct).toBeLessThanOrEqual(62);
      expect(objective(nothing, 'performance').heldPct).toBeLessThanOrEqual(48);
      expect(objective(nothing, 'balloon').heldPct).toBeLessThanOrEqual(44);
      expect(objective(nothing, 'keep-running')).toMatchObject({ heldPct: 100, violations: 0 });
      expect(allEvents(nothing, 'migration-completed').map((e) => e['to'])).toEqual([
        'esx-01',
        'esx-01',
      ]);
      // Swapping starts only with the change.
      expect(host(at(nothing, 359), 'esx-01').swapUsedMiB).toBe(0);
      expect(Math.max(...nothing.map((f) => host(f, 'esx-01').swapUsedMiB))).toBeGreaterThan(4096);
      expect(
        Math.min(...nothing.slice(300).map((f) => vm(f, 'cache-01').performancePct)),
      ).toBeLessThan(30);
      expect(nothing.at(-1)!.alarms).toContainEqual(
        expect.objectContaining({ rule: 'host-swap-in', target: 'esx-01' }),
      );
      // vm-memory-starved fires (critical) on the five caches at t = 299 s, ballooned below their
      // working sets while esx-01 still reads clear, and they stay so: open past the 300 s target.
      expect(
        allEvents(nothing, 'alarm-fired')
          .filter((e) => e['rule'] === 'vm-memory-starved' && e.time < 360)
          .map((e) => e.target)
          .sort(),
      ).toEqual(['cache-01', 'cache-02', 'cache-03', 'cache-04', 'cache-05']);
      expectNoResponse(nothing, false);
    });

    it('the good team: esx-01 stops ballooning, takes the report VMs and never swaps', () => {
      expect(objective(good, 'no-swap')).toMatchObject({ heldPct: 100, holding: true });
      expect(objective(good, 'performance').heldPct).toBeGreaterThanOrEqual(90);
      expect(objective(good, 'balloon').heldPct).toBeGreaterThanOrEqual(85);
      expect(objective(good, 'keep-running')).toMatchObject({ heldPct: 100, violations: 0 });
      for (const f of good) expect(host(f, 'esx-01').swapUsedMiB).toBe(0);
      const last = good.at(-1)!;
      expect(vm(last, 'report-01').host).toBe('esx-01');
      expect(host(last, 'esx-01').balloonMiB).toBe(0);
      for (const v of last.vms) expect(v.performancePct).toBeGreaterThan(90);
      // Only vm-memory-starved on the two caches squeezed while the migrations ran (t = 299 s),
      // resolved within 20 s once esx-01 had room again.
      const fired = allEvents(good, 'alarm-fired');
      expect(fired.map((e) => `${String(e['rule'])} ${e.target}`).sort()).toEqual([
        'vm-memory-starved cache-02',
        'vm-memory-starved cache-03',
      ]);
      expect(score(good).response).toMatchObject({
        critical: 2,
        resolved: 2,
        ackMet: true,
        resolveMet: true,
      });
    });

    it('lowering ramAllocationRatio instead refuses the change: no swapping, but the ballooning goes on', () => {
      const ratioOnly = play(
        s,
        scripted({ 265: [{ do: 'set-policy', policy: { ramAllocationRatio: 1.25 } }] }),
      );
      const refused = allEvents(ratioOnly, 'command-refused').filter((e) => e.do === 'migrate-vm');
      expect(refused.map((e) => e.target)).toEqual(['report-01', 'report-02']);
      expect(refused[0]!.reason).toContain(
        'destination refused: esx-01: memory 88/80 GiB at ratio 1.25',
      );
      expect(objective(ratioOnly, 'no-swap').heldPct).toBe(100);
      expect(objective(ratioOnly, 'performance').heldPct).toBeLessThanOrEqual(48);
      expect(score(ratioOnly).points).toBeGreaterThan(score(nothing).points);
      expect(score(ratioOnly).points).toBeLessThan(score(good).points - 15);
    });
  });

  describe('host-failure: HA cannot restart everything', () => {
    const s = load('host-failure.yaml');
    const nothing = play(s, doNothing);
    // Before HA acts (60 s after the failure), cancel the analytics VM's restart; once the
    // vendor has repaired esx-01, start it again.
    const good = play(
      s,
      scripted({
        75: [{ do: 'power-off-vm', target: 'analytics' }],
        310: [{ do: 'power-on-vm', target: 'analytics' }],
      }),
    );
    const databases = ['db-01', 'db-02', 'db-03', 'db-04'];

    it('the good team scores at least 45 points more; doing nothing loses at least 60 of 100', () => {
      expectGoodBeatsNothing(s, nothing, good, { minLoss: 60, minMargin: 45 });
    });

    it('the trouble is in the frames before the good team acts: esx-01 down with the databases, HA not yet', () => {
      const seen = at(good, 74);
      expect(host(seen, 'esx-01').state).toBe('failed');
      for (const name of ['analytics', ...databases]) expect(vm(seen, name).state).toBe('down');
      expect(allEvents(good.slice(0, 74), 'ha-restarted')).toEqual([]);
      expect(host(seen, 'esx-03').memConfiguredMiB).toBe(32 * 1024);
    });

    it('doing nothing: HA restarts analytics first and the four databases stay down', () => {
      expect(allEvents(nothing, 'ha-restarted').map((e) => e.target)).toEqual(['analytics']);
      expect(allEvents(nothing, 'ha-failed').map((e) => e.target)).toEqual(databases);
      expect(objective(nothing, 'services').heldPct).toBeLessThanOrEqual(10);
      expect(objective(nothing, 'all-back').heldPct).toBeLessThanOrEqual(10);
      expect(objective(nothing, 'hands-off')).toMatchObject({ heldPct: 100, violations: 0 });
      const last = nothing.at(-1)!;
      expect(last.cluster.vmsRunning).toBe(13);
      // The host came back, empty: HA does not retry.
      expect(host(last, 'esx-01')).toMatchObject({ state: 'up', vmsRunning: 0 });
      expectNoResponse(nothing, false);
    });

    it('the good team: HA restarts the databases, and analytics runs again on the repaired host', () => {
      expect(allEvents(good, 'ha-restarted').map((e) => e.target)).toEqual(databases);
      expect(allEvents(good, 'ha-failed')).toEqual([]);
      expect(objective(good, 'services').heldPct).toBeGreaterThanOrEqual(89);
      expect(objective(good, 'all-back').heldPct).toBeGreaterThanOrEqual(55);
      expect(objective(good, 'hands-off')).toMatchObject({ heldPct: 100, violations: 0 });
      const last = good.at(-1)!;
      expect(last.cluster.vmsRunning).toBe(17);
      expect(vm(last, 'analytics').host).toBe('esx-01');
      expectGoodResponse(good);
    });
  });
});
