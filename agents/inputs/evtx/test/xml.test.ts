import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventXmlToJson, parseXml, normaliseValue } from '../xml.ts';
import { jsonValues } from '../json_values.ts';

// Shape of python-evtx 0.6.1 output (evtx_dump.py), trimmed.
const XML = `<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Microsoft-Windows-Security-Auditing" Guid="{54849625-5478-4994-a5ba-3e3b0328c30d}"></Provider>
<EventID Qualifiers="">4624</EventID>
<TimeCreated SystemTime="2026-01-01 10:00:00.123456"></TimeCreated>
<Correlation ActivityID="" RelatedActivityID=""></Correlation>
<Channel>Security</Channel>
</System>
<EventData><Data Name="TargetUserName">bob &amp; &lt;alice&gt; &#x41;&#66;</Data>
<Data Name="TargetLogonId">0x00000000000003e7</Data>
<Data Name="LogonGuid">{00000000-0000-0000-0000-000000000000}</Data>
<Data Name="Empty"></Data>
<Data Name="CommandLine">"C:\\Windows\\system32\\cmd.exe" </Data>
</EventData>
</Event>`;

test('python-evtx XML → Rust evtx_dump JSON shape', () => {
  assert.deepEqual(eventXmlToJson(XML), {
    Event: {
      '#attributes': { xmlns: 'http://schemas.microsoft.com/win/2004/08/events/event' },
      System: {
        Provider: { '#attributes': { Name: 'Microsoft-Windows-Security-Auditing', Guid: '54849625-5478-4994-A5BA-3E3B0328C30D' } },
        EventID: 4624,
        TimeCreated: { '#attributes': { SystemTime: '2026-01-01T10:00:00.123456Z' } },
        Correlation: null,
        Channel: 'Security',
      },
      EventData: { TargetUserName: 'bob & <alice> AB', TargetLogonId: '0x3e7', LogonGuid: '00000000-0000-0000-0000-000000000000', Empty: null, CommandLine: '"C:\\Windows\\system32\\cmd.exe"' },
    },
  });
});

test('values: integers, padded hex, braced strings kept', () => {
  assert.equal(normaliseValue('42'), 42);
  assert.equal(normaliseValue('007'), '007');
  assert.equal(normaliseValue('99999999999999999999'), '99999999999999999999');
  assert.equal(normaliseValue('0x8000000000000000'), '0x8000000000000000');
  assert.equal(normaliseValue('{00000000-0000-0000-0000-000000000000}', 'Id'), '{00000000-0000-0000-0000-000000000000}');
});

test('malformed XML is a typed error with an offset, never a hang', () => {
  for (const bad of ['<a><b></a>', '<a x=1></a>', '<a>', '', '<a><!-- x', '<?xml']) assert.throws(() => parseXml(bad), (e: Error & { offset?: number }) => typeof e.offset === 'number', bad);
  assert.deepEqual(parseXml('<a k=\'v\'/>').attrs, { k: 'v' });
});

test('jsonValues: concatenated, arrays, garbage between values, strings with braces', () => {
  const items = [...jsonValues('{"a":"}{"}\n[{"b":1},{"c":2}]\nxx\n{"d":\n3}\n{"e":')];
  assert.deepEqual(items, [
    { value: { a: '}{' }, line: 1 },
    { value: { b: 1 }, line: 2 },
    { value: { c: 2 }, line: 2 },
    { error: 'expected \'{\' or \'[\' but found "xx"', line: 3 },
    { value: { d: 3 }, line: 4 },
    { error: 'unterminated JSON value at the end of the file', line: 6 },
  ]);
});
