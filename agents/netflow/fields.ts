// Information elements (IANA IPFIX registry, RFC 7012; NetFlow v9 field types 1..127 share the numbering) and
// the pure decoding of one field value. Unknown ids are kept raw (`ie.<id>` hex), enterprise-specific ones as
// `enterprise.<pen>.<id>` hex.

export type FieldValue = number | bigint | string;

/** How a field's bytes are interpreted. */
export type IeKind =
  | 'unsigned' // reduced-size encoding allowed: 1..8 bytes
  | 'ipv4'
  | 'ipv6'
  | 'mac'
  | 'string'
  | 'octets'
  | 'dateTimeSeconds'
  | 'dateTimeMilliseconds'
  | 'dateTimeMicroseconds' // NTP 64-bit
  | 'dateTimeNanoseconds'; // NTP 64-bit

export interface InformationElement {
  id: number;
  name: string;
  kind: IeKind;
}

const U: IeKind = 'unsigned';
const table: [number, string, IeKind][] = [
  [1, 'octetDeltaCount', U], [2, 'packetDeltaCount', U], [3, 'deltaFlowCount', U], [4, 'protocolIdentifier', U],
  [5, 'ipClassOfService', U], [6, 'tcpControlBits', U], [7, 'sourceTransportPort', U], [8, 'sourceIPv4Address', 'ipv4'],
  [9, 'sourceIPv4PrefixLength', U], [10, 'ingressInterface', U], [11, 'destinationTransportPort', U],
  [12, 'destinationIPv4Address', 'ipv4'], [13, 'destinationIPv4PrefixLength', U], [14, 'egressInterface', U],
  [15, 'ipNextHopIPv4Address', 'ipv4'], [16, 'bgpSourceAsNumber', U], [17, 'bgpDestinationAsNumber', U],
  [18, 'bgpNextHopIPv4Address', 'ipv4'], [19, 'postMCastPacketDeltaCount', U], [20, 'postMCastOctetDeltaCount', U],
  [21, 'flowEndSysUpTime', U], [22, 'flowStartSysUpTime', U], [23, 'postOctetDeltaCount', U], [24, 'postPacketDeltaCount', U],
  [25, 'minimumIpTotalLength', U], [26, 'maximumIpTotalLength', U], [27, 'sourceIPv6Address', 'ipv6'],
  [28, 'destinationIPv6Address', 'ipv6'], [29, 'sourceIPv6PrefixLength', U], [30, 'destinationIPv6PrefixLength', U],
  [31, 'flowLabelIPv6', U], [32, 'icmpTypeCodeIPv4', U], [33, 'igmpType', U], [34, 'samplingInterval', U],
  [35, 'samplingAlgorithm', U], [36, 'flowActiveTimeout', U], [37, 'flowIdleTimeout', U], [38, 'engineType', U],
  [39, 'engineId', U], [40, 'exportedOctetTotalCount', U], [41, 'exportedMessageTotalCount', U],
  [42, 'exportedFlowRecordTotalCount', U], [44, 'sourceIPv4Prefix', 'ipv4'], [45, 'destinationIPv4Prefix', 'ipv4'],
  [46, 'mplsTopLabelType', U], [47, 'mplsTopLabelIPv4Address', 'ipv4'], [48, 'samplerId', U], [49, 'samplerMode', U],
  [50, 'samplerRandomInterval', U], [52, 'minimumTTL', U], [53, 'maximumTTL', U], [54, 'fragmentIdentification', U],
  [55, 'postIpClassOfService', U], [56, 'sourceMacAddress', 'mac'], [57, 'postDestinationMacAddress', 'mac'],
  [58, 'vlanId', U], [59, 'postVlanId', U], [60, 'ipVersion', U], [61, 'flowDirection', U],
  [62, 'ipNextHopIPv6Address', 'ipv6'], [63, 'bgpNextHopIPv6Address', 'ipv6'], [64, 'ipv6ExtensionHeaders', U],
  [70, 'mplsTopLabelStackSection', 'octets'], [80, 'destinationMacAddress', 'mac'], [81, 'postSourceMacAddress', 'mac'],
  [82, 'interfaceName', 'string'], [83, 'interfaceDescription', 'string'], [84, 'samplerName', 'string'],
  [85, 'octetTotalCount', U], [86, 'packetTotalCount', U], [88, 'fragmentOffset', U], [89, 'forwardingStatus', U],
  [90, 'mplsVpnRouteDistinguisher', 'octets'], [94, 'applicationDescription', 'string'], [95, 'applicationId', 'octets'],
  [96, 'applicationName', 'string'], [98, 'postIpDiffServCodePoint', U], [128, 'bgpNextAdjacentAsNumber', U],
  [129, 'bgpPrevAdjacentAsNumber', U], [130, 'exporterIPv4Address', 'ipv4'], [131, 'exporterIPv6Address', 'ipv6'],
  [136, 'flowEndReason', U], [137, 'commonPropertiesId', U], [138, 'observationPointId', U], [139, 'icmpTypeCodeIPv6', U],
  [143, 'meteringProcessId', U], [144, 'exportingProcessId', U], [145, 'templateId', U], [148, 'flowId', U],
  [149, 'observationDomainId', U], [150, 'flowStartSeconds', 'dateTimeSeconds'], [151, 'flowEndSeconds', 'dateTimeSeconds'],
  [152, 'flowStartMilliseconds', 'dateTimeMilliseconds'], [153, 'flowEndMilliseconds', 'dateTimeMilliseconds'],
  [154, 'flowStartMicroseconds', 'dateTimeMicroseconds'], [155, 'flowEndMicroseconds', 'dateTimeMicroseconds'],
  [156, 'flowStartNanoseconds', 'dateTimeNanoseconds'], [157, 'flowEndNanoseconds', 'dateTimeNanoseconds'],
  [158, 'flowStartDeltaMicroseconds', U], [159, 'flowEndDeltaMicroseconds', U],
  [160, 'systemInitTimeMilliseconds', 'dateTimeMilliseconds'], [161, 'flowDurationMilliseconds', U],
  [162, 'flowDurationMicroseconds', U], [176, 'icmpTypeIPv4', U], [177, 'icmpCodeIPv4', U], [178, 'icmpTypeIPv6', U],
  [179, 'icmpCodeIPv6', U], [180, 'udpSourcePort', U], [181, 'udpDestinationPort', U], [182, 'tcpSourcePort', U],
  [183, 'tcpDestinationPort', U], [192, 'ipTTL', U], [225, 'postNATSourceIPv4Address', 'ipv4'],
  [226, 'postNATDestinationIPv4Address', 'ipv4'], [227, 'postNAPTSourceTransportPort', U],
  [228, 'postNAPTDestinationTransportPort', U], [233, 'firewallEvent', U], [234, 'ingressVRFID', U], [235, 'egressVRFID', U],
  [239, 'biflowDirection', U], [243, 'dot1qVlanId', U], [256, 'ethernetType', U], [281, 'postNATSourceIPv6Address', 'ipv6'],
  [282, 'postNATDestinationIPv6Address', 'ipv6'], [302, 'selectorId', U], [304, 'selectorAlgorithm', U],
  [305, 'samplingPacketInterval', U], [306, 'samplingPacketSpace', U], [307, 'samplingTimeInterval', U],
  [308, 'samplingTimeSpace', U], [309, 'samplingSize', U], [310, 'samplingPopulation', U],
  [323, 'observationTimeMilliseconds', 'dateTimeMilliseconds'],
];

export const INFORMATION_ELEMENTS: ReadonlyMap<number, InformationElement> = new Map(
  table.map(([id, name, kind]) => [id, { id, name, kind }]),
);

/** NetFlow v9 options-template scope field types (RFC 3954 §6.1): not information elements. */
export const V9_SCOPE_TYPES: Readonly<Record<number, string>> = { 1: 'system', 2: 'interface', 3: 'lineCard', 4: 'cache', 5: 'template' };

/** Field key in `FlowRecord.fields`: the IE name, `ie.<id>` for unknown ids, `enterprise.<pen>.<id>`. */
export function fieldName(id: number, enterprise?: number): string {
  if (enterprise !== undefined) return `enterprise.${enterprise}.${id}`;
  return INFORMATION_ELEMENTS.get(id)?.name ?? `ie.${id}`;
}

export function formatIPv4(b: Buffer): string {
  return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
}

/** RFC 5952 text form: lower case, the longest run (>= 2) of zero groups compressed. */
export function formatIPv6(b: Buffer): string {
  return formatIPv6At(b, 0);
}

const groups = new Uint16Array(8);

/** formatIPv6 of the 16 bytes at `p` (the caller checked they are there), without copying them out. */
export function formatIPv6At(b: Buffer, p: number): string {
  const g = groups;
  for (let i = 0; i < 8; i++) g[i] = ((b[p + 2 * i] ?? 0) << 8) | (b[p + 2 * i + 1] ?? 0);
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  if (bestLen < 2) return hexGroups(g, 0, 8);
  return `${hexGroups(g, 0, bestStart)}::${hexGroups(g, bestStart + bestLen, 8)}`;
}

function hexGroups(g: Uint16Array, from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i++) s += (i > from ? ':' : '') + (g[i] ?? 0).toString(16);
  return s;
}

function formatMac(b: Buffer): string {
  return formatMacAt(b, 0);
}

/** formatMac of the 6 bytes at `p`. */
export function formatMacAt(b: Buffer, p: number): string {
  let s = '';
  for (let i = 0; i < 6; i++) s += (i > 0 ? ':' : '') + (b[p + i] ?? 0).toString(16).padStart(2, '0');
  return s;
}

function readUnsigned(b: Buffer): number | bigint {
  return readUnsignedAt(b, 0, b.length);
}

/** An unsigned big-endian integer of 1..8 bytes at `p`: a number when it is a safe integer, else a bigint. */
export function readUnsignedAt(b: Buffer, p: number, n: number): number | bigint {
  if (n <= 6) return b.readUIntBE(p, n);
  let v = 0n;
  for (let i = 0; i < n; i++) v = (v << 8n) | BigInt(b[p + i] ?? 0);
  return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** A string IE of `n` bytes at `p`: UTF-8, trailing NUL bytes removed. */
export function stringAt(b: Buffer, p: number, n: number): string {
  let end = p + n;
  while (end > p && b[end - 1] === 0) end--;
  return b.toString('utf8', p, end);
}

const NTP_UNIX_OFFSET_S = 2208988800;

/** NTP 64-bit timestamp (RFC 7011 §6.1.9/10) to unix milliseconds (fractional for sub-ms precision). */
export function ntpToUnixMs(b: Buffer): number {
  return ntpToUnixMsAt(b, 0);
}

/** ntpToUnixMs of the 8 bytes at `p`. */
export function ntpToUnixMsAt(b: Buffer, p: number): number {
  const secs = b.readUInt32BE(p);
  const frac = b.readUInt32BE(p + 4);
  return (secs - NTP_UNIX_OFFSET_S) * 1000 + (frac * 1000) / 2 ** 32;
}

/**
 * Decode one field value. The caller has already read exactly `b.length` bytes (bounds-checked);
 * a length that does not fit the element's type is kept as raw hex rather than guessed at.
 */
export function decodeFieldValue(id: number, b: Buffer, enterprise?: number): FieldValue {
  if (enterprise !== undefined) return b.toString('hex');
  const ie = INFORMATION_ELEMENTS.get(id);
  if (ie === undefined) return b.toString('hex');
  switch (ie.kind) {
    case 'unsigned':
    case 'dateTimeSeconds':
    case 'dateTimeMilliseconds':
      if (b.length >= 1 && b.length <= 8) return readUnsigned(b);
      return b.toString('hex');
    case 'ipv4':
      return b.length === 4 ? formatIPv4(b) : b.toString('hex');
    case 'ipv6':
      return b.length === 16 ? formatIPv6(b) : b.toString('hex');
    case 'mac':
      return b.length === 6 ? formatMac(b) : b.toString('hex');
    case 'string':
      return stringAt(b, 0, b.length);
    case 'dateTimeMicroseconds':
    case 'dateTimeNanoseconds':
      return b.length === 8 ? ntpToUnixMs(b) : b.toString('hex');
    case 'octets':
      return b.toString('hex');
  }
}
