/**
 * Safe / Optimistic / Brave, each explained in one sentence. On a phone the three are one compact
 * row of choices, and only the chosen one's sentence shows below it (styles.css).
 */
import { MODES, type Mode } from './modes';

interface Props {
  mode: Mode;
  onChange: (mode: Mode) => void;
}

export function ModePicker({ mode, onChange }: Props) {
  return (
    <fieldset className="modes">
      <legend className="modes__legend">When should the list change?</legend>
      <div className="modes__options">
        {MODES.map((info) => (
          <label key={info.id} className={`mode ${mode === info.id ? 'mode--active' : ''}`}>
            <input
              type="radio"
              name="mode"
              value={info.id}
              checked={mode === info.id}
              onChange={() => onChange(info.id)}
              data-testid={`mode-${info.id}`}
              aria-describedby={`mode-${info.id}-explained`}
            />
            <span className="mode__body">
              <span className="mode__label">{info.label}</span>
              <span className="mode__explanation" id={`mode-${info.id}-explained`}>
                {info.explanation}
              </span>
            </span>
          </label>
        ))}
      </div>
      {/* the phone's line; each radio is described by its own sentence above already */}
      <p className="modes__current" aria-hidden="true" data-testid="mode-current">
        {MODES.find((info) => info.id === mode)?.explanation}
      </p>
    </fieldset>
  );
}
