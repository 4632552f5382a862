// Which Sigma logsource an event belongs to, so each event is only evaluated against the rules written for it
// (a rule applies when every logsource field it names equals the event's). Pure.

export interface Logsource {
  product?: string;
  category?: string;
  service?: string;
}

export function eventLogsource(event: Record<string, unknown>): Logsource {
  const ev = (event.event ?? {}) as { dataset?: string; module?: string; category?: string[] };
  const dataset = ev.dataset ?? '';
  if (dataset.startsWith('netflow')) return { product: 'netflow', category: 'flow' };
  if (isObject(event.Event) && isObject((event.Event as Record<string, unknown>).System)) {
    const channel = String(((event.Event as Record<string, Record<string, unknown>>).System!.Channel ?? '')).toLowerCase();
    return { product: 'windows', service: WINDOWS_SERVICES[channel] ?? channel };
  }
  if (dataset.startsWith('linux.') || dataset.startsWith('system.')) {
    const proc = (event.process as { name?: string } | undefined)?.name;
    return { product: 'linux', ...(proc ? { service: proc } : {}) };
  }
  if (dataset) {
    const [product, service] = dataset.split('.');
    return { product, ...(service ? { service } : {}) };
  }
  return {};
}

export function ruleApplies(rule: Logsource, event: Logsource): boolean {
  for (const key of ['product', 'category', 'service'] as const) {
    const want = rule[key];
    if (want !== undefined && want.toLowerCase() !== (event[key] ?? '').toLowerCase()) return false;
  }
  return true;
}

const WINDOWS_SERVICES: Record<string, string> = {
  security: 'security',
  system: 'system',
  application: 'application',
  'microsoft-windows-sysmon/operational': 'sysmon',
  'microsoft-windows-powershell/operational': 'powershell',
  'windows powershell': 'powershell-classic',
};

function isObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null;
}
