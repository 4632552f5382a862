// RSIT classification and TLP 2.0 in the UI: the TLP badge (standard colours, by class: no inline styles under the
// CSP), the classification text, and the controls an analyst uses to change both.
import React from 'react';
import { RSIT, TLP_LEVELS, isTlp, rsitLabel, type Rsit, type Tlp } from '../../common/index';
import { tlpClass } from './format';

export function TlpBadge({ tlp }: { tlp: Tlp | undefined }) {
  return <span className={tlpClass(tlp)}>{tlp ? `TLP:${tlp}` : 'TLP:—'}</span>;
}

/** The `<option>`s of a TLP picker, least restricted first (the caller's `<select>` adds its own empty choice). */
export function TlpOptions() {
  return (
    <>
      {TLP_LEVELS.map((l) => (
        <option key={l} value={l}>
          TLP:{l}
        </option>
      ))}
    </>
  );
}

export function RsitText({ rsit }: { rsit: Rsit | undefined }) {
  return <span className="cirt-rsit">{rsit ? rsitLabel(rsit) : 'unclassified'}</span>;
}

/** Classification + TLP pickers and an Apply button; `onApply` gets what was chosen (either may be left unchanged). */
export function ClassifyControls({ disabled, onApply, current }: { disabled?: boolean; current?: { rsit?: Rsit; tlp?: Tlp }; onApply(change: { rsit?: Rsit; tlp?: Tlp }): void }) {
  const [pair, setPair] = React.useState(current?.rsit ? `${current.rsit.classification}/${current.rsit.type}` : '');
  const [tlp, setTlp] = React.useState<string>('');
  const chosen = (): { rsit?: Rsit; tlp?: Tlp } => {
    const [classification, type] = pair.split('/');
    return { ...(classification && type ? { rsit: { classification, type } } : {}), ...(isTlp(tlp) ? { tlp } : {}) };
  };
  return (
    <span className="cirt-classify">
      <select aria-label="classification" value={pair} onChange={(e) => setPair(e.target.value)}>
        <option value="">classification…</option>
        {RSIT.map((c) => (
          <optgroup key={c.classification} label={c.label}>
            {c.types.map((t) => (
              <option key={t.type} value={`${c.classification}/${t.type}`}>
                {c.label} / {t.label}
              </option>
            ))}
          </optgroup>
        ))}
      </select>
      <select aria-label="TLP" value={tlp} onChange={(e) => setTlp(e.target.value)}>
        <option value="">TLP…</option>
        <TlpOptions />
      </select>
      <button type="button" disabled={disabled || (!pair && !tlp)} onClick={() => onApply(chosen())}>
        Classify
      </button>
    </span>
  );
}
