/** Long-running processes: api, hasher, matcher, fetcher, actioner, all. */
import type { Command } from 'commander';

function notYet(name: string): never {
  console.error(`hma ${name}: not implemented yet`);
  process.exit(3);
}

export function registerProcessCommands(program: Command): void {
  for (const name of ['api', 'hasher', 'matcher', 'fetcher', 'actioner', 'all'] as const) {
    program
      .command(name)
      .description(`run the ${name === 'all' ? 'whole stack in one process (development)' : name} process`)
      .action(() => notYet(name));
  }
}
