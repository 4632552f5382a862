// The edge to python-evtx: runs `evtx_dump.py FILE` and yields each <Event>…</Event> record of its XML output as it
// streams (async iteration: a slow consumer pauses the child's stdout, so memory stays bounded by one record).
import { spawn } from 'node:child_process';
import { EvtxError } from './errors.ts';

const MAX_RECORD_CHARS = 16 * 1024 * 1024;

export async function* evtxDumpRecords(file: string, command = 'evtx_dump.py'): AsyncGenerator<{ xml: string; index: number }> {
  const child = spawn(command, [file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let spawnError: NodeJS.ErrnoException | undefined;
  let stderr = '';
  child.on('error', (err) => (spawnError = err));
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => (stderr = (stderr + d).slice(-2000)));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  let buf = '';
  let index = 0;
  try {
    child.stdout.setEncoding('utf8');
    for await (const chunk of child.stdout as AsyncIterable<string>) {
      buf += chunk;
      for (;;) {
        const end = buf.indexOf('</Event>');
        if (end === -1) break;
        const start = buf.search(/<Event[\s>]/);
        const xml = buf.slice(start === -1 || start > end ? 0 : start, end + 8);
        buf = buf.slice(end + 8);
        yield { xml, index: index++ };
      }
      if (buf.length > MAX_RECORD_CHARS) {
        throw new EvtxError('ERR_EVTX_TOOL_FAILED', `evtx_dump.py printed a record larger than ${MAX_RECORD_CHARS} characters`, { location: { file } });
      }
    }
    const code = await exited;
    if (spawnError?.code === 'ENOENT') {
      throw new EvtxError('ERR_EVTX_TOOL_MISSING', `'${command}' not found: install python3-evtx (apt-get install -y python3-evtx) to read .evtx files`, { location: { file }, cause: spawnError });
    }
    if (spawnError) throw new EvtxError('ERR_EVTX_TOOL_FAILED', `cannot run '${command}': ${spawnError.message}`, { location: { file }, cause: spawnError });
    if (code !== 0) {
      throw new EvtxError('ERR_EVTX_TOOL_FAILED', `'${command}' exited with ${code} after ${index} records: ${stderr.trim().split('\n').slice(-1)[0] ?? ''}`, { location: { file } });
    }
  } finally {
    if (child.exitCode === null && !child.killed) child.kill();
  }
}
