/** Every subcommand of `hma`, one module each. */
import type { Command } from 'commander';
import { registerProcessCommands } from './processes.js';
import { registerServicesCommands } from './services.js';

export function registerCommands(program: Command): void {
  registerProcessCommands(program);
  registerServicesCommands(program);
}
