// Prints the scrypt hash of a password for the users file (ui-plugin/README.md):
//   printf '%s' 'the password' | npx tsx ui-plugin/standalone/hash-password.ts
// The password is read from stdin (not from the command line, where other users could see it in `ps`).
import { hashPassword } from '../server/auth/passwords';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

readStdin().then(
  async (password) => {
    if (password.length < 8) process.stderr.write('warning: a password shorter than 8 characters\n');
    if (password.length === 0) {
      process.stderr.write('usage: printf %s "password" | npx tsx ui-plugin/standalone/hash-password.ts\n');
      process.exit(2);
    }
    process.stdout.write(`${await hashPassword(password)}\n`);
  },
  (err: unknown) => {
    process.stderr.write(`could not read stdin: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
