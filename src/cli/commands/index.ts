/** Every subcommand of `hma`, one module each. */
import type { Command } from 'commander';
import { registerProcessCommands } from './processes.js';
import { registerServicesCommands } from './services.js';
import { registerDbCommands } from './db.js';
import { registerTopologyCommands } from './topology.js';
import { registerRelayCommand } from './relay.js';
import { registerPipelineCommands } from './pipeline.js';
import { registerSubmitCommand } from './submit.js';
import { registerScanCommand } from './scan.js';
import { registerBankCommands } from './bank.js';
import { registerDbStatsCommand } from './dbstats.js';
import { registerHashCommand } from './hash.js';

export function registerCommands(program: Command): void {
  registerProcessCommands(program);
  registerServicesCommands(program);
  registerDbCommands(program);
  registerTopologyCommands(program);
  registerRelayCommand(program);
  registerPipelineCommands(program);
  registerSubmitCommand(program);
  registerScanCommand(program);
  registerBankCommands(program);
  registerDbStatsCommand(program);
  registerHashCommand(program);
}
