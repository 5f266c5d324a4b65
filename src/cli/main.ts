/** `hma`: one command line for every process and admin task. */
import { Command } from 'commander';
import { ConfigError, loadConfig } from '../config/config.js';
import { configureProcess } from '../runtime/configure.js';
import { registerCommands } from './commands/index.js';

const program = new Command('hma')
  .description('hma-stream: Kafka-native Hasher-Matcher-Actioner')
  .showHelpAfterError()
  // The process's config, read once before any command runs, gives the logger and the keyring their settings.
  .hook('preAction', () => {
    const cfg = loadConfig(process.env);
    configureProcess(cfg);
  });
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
