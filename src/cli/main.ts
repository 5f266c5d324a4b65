/** `hma`: one command line for every process and admin task. */
import { Command } from 'commander';
import { ConfigError } from '../config/config.js';
import { registerCommands } from './commands/index.js';

const program = new Command('hma')
  .description('hma-stream: Kafka-native Hasher-Matcher-Actioner')
  .showHelpAfterError();
await registerCommands(program, process.argv);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(2);
  }
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}
