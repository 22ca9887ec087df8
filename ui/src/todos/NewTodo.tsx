/** The field that adds a todo (Enter or the button). */
import { useId, useState, type FormEvent } from 'react';
import { MAX_TEXT_LENGTH, textProblem } from './todoText';

export function NewTodo({ onAdd }: { onAdd: (text: string) => void }) {
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const inputId = useId();
  const problemId = useId();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const why = textProblem(text);
    if (why) {
      setProblem(why);
      return;
    }
    onAdd(text.trim());
    setText('');
  };

  return (
    <form className="new-todo" onSubmit={submit} noValidate>
      <label htmlFor={inputId} className="visually-hidden">
        New todo
      </label>
      <input
        id={inputId}
        className="new-todo__input"
        data-testid="new-todo-text"
        placeholder="What needs doing?"
        value={text}
        maxLength={MAX_TEXT_LENGTH}
        autoComplete="off"
        onChange={(e) => {
          setText(e.target.value);
          setProblem(null);
        }}
        aria-invalid={problem !== null}
        aria-describedby={problem ? problemId : undefined}
      />
      <button type="submit" className="button button--primary" data-testid="new-todo-add">
        Add
      </button>
      {problem && (
        <p className="field-error new-todo__error" id={problemId} role="alert">
          {problem}
        </p>
      )}
    </form>
  );
}
