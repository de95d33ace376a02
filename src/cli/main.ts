/** `bise`: the headless command line on the same core as the extension. */
import * as extract from './commands/extract';
import * as train from './commands/train';
import * as info from './commands/info';
import * as demo from './commands/demo';
import * as evaluate from './commands/eval';
import * as probe from './commands/probe';
import * as finetune from './commands/finetune';
import * as audit from './commands/audit';

const COMMANDS: Record<string, { main(argv: readonly string[]): Promise<number>; summary: string }> = {
  demo: { main: demo.main, summary: demo.demoCommand.summary },
  extract: { main: extract.main, summary: extract.extractCommand.summary },
  train: { main: train.main, summary: train.trainCommand.summary },
  finetune: { main: finetune.main, summary: finetune.finetuneCommand.summary },
  eval: { main: evaluate.main, summary: evaluate.evalCommand.summary },
  audit: { main: audit.main, summary: audit.auditCommand.summary },
  probe: { main: probe.main, summary: probe.probeCommand.summary },
  info: { main: info.main, summary: info.infoCommand.summary },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    'usage: bise <command> [arguments] [flags]',
    '',
    'commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    "run 'bise <command> --help' for a command's arguments and flags",
  ].join('\n');
}

async function run(argv: readonly string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    process.exitCode = name ? 0 : 2;
    return;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`error: unknown command '${name}'\n\n${usage()}\n`);
    process.exitCode = 2;
    return;
  }
  process.exitCode = await command.main(rest);
}

void run(process.argv.slice(2));
