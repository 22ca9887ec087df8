/** Safe / Optimistic / Brave, each explained in one sentence. */
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
    </fieldset>
  );
}
