import { Injectable, Logger } from '@nestjs/common';
import type { Scenario } from '@overcommit/contracts';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadScenarioFile } from '@overcommit/scenario-files';

export interface BundledScenario {
  name: string;
  title: string;
  description: string;
  hosts: number;
  vms: number;
  /** It has an exercise section (scenarios/exercises/): it can be run for teams. */
  exercise: boolean;
  scenario: Scenario;
}

/** The repository's scenarios/ folder: two levels above src/ and dist/ alike. */
export const bundledScenarioDir = join(__dirname, '..', '..', '..', '..', 'scenarios');

/** The bundled scenarios, read and validated once at start-up. */
@Injectable()
export class ScenariosService {
  private readonly scenarios = new Map<string, BundledScenario>();

  constructor() {
    const logger = new Logger('Scenarios');
    // scenarios/*.yaml by their file name, and scenarios/exercises/*.yaml as exercises/<name>.
    const files: string[] = [];
    for (const dir of ['', 'exercises/']) {
      try {
        files.push(
          ...readdirSync(join(bundledScenarioDir, dir))
            .filter((f) => f.endsWith('.yaml'))
            .sort()
            .map((f) => `${dir}${f}`),
        );
      } catch (error) {
        const why = error instanceof Error ? error.message : String(error);
        if (dir === '')
          logger.warn(`no bundled scenarios: ${bundledScenarioDir} cannot be read (${why})`);
        // Exercises are optional: a scenario folder without exercises/ has none.
        else logger.debug(`no bundled exercises in ${join(bundledScenarioDir, dir)} (${why})`);
      }
    }
    for (const file of files) {
      const parsed = loadScenarioFile(join(bundledScenarioDir, file));
      if (!parsed.ok) {
        logger.warn(
          `scenarios/${file} skipped: ${parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
        );
        continue;
      }
      const s = parsed.scenario;
      const name = file.replace(/\.yaml$/, '');
      this.scenarios.set(name, {
        name,
        title: s.name,
        description: s.description.trim(),
        hosts: s.hosts.reduce((n, h) => n + h.count, 0),
        vms: s.vms.reduce((n, v) => n + v.count, 0),
        exercise: s.exercise !== undefined,
        scenario: s,
      });
    }
  }

  list(): Omit<BundledScenario, 'scenario'>[] {
    return [...this.scenarios.values()].map(({ scenario: _s, ...rest }) => rest);
  }

  get(name: string): BundledScenario | undefined {
    return this.scenarios.get(name);
  }
}
