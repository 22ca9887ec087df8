import { describe, expect, it } from 'vitest';
import { nextLink } from './linkHeader';

describe('nextLink', () => {
  it('finds the next page, quoted or not, among other links', () => {
    expect(nextLink('</api/todos?limit=2&cursor=abc>; rel="next"', '/api/todos')).toBe('/api/todos?limit=2&cursor=abc');
    expect(nextLink('</api/todos?cursor=x>; rel=next', '/api/todos')).toBe('/api/todos?cursor=x');
    expect(nextLink('</api/todos?cursor=p>; rel="prev", </api/todos?cursor=n>; title="x"; rel="next"', '/api/todos')).toBe(
      '/api/todos?cursor=n',
    );
    expect(nextLink('</api/todos?cursor=n>; rel="last next"', '/api/todos')).toBe('/api/todos?cursor=n');
  });

  it('is null on the last page or for a link it does not understand', () => {
    expect(nextLink(null, '/api/todos')).toBeNull();
    expect(nextLink('', '/api/todos')).toBeNull();
    expect(nextLink('</api/todos?cursor=p>; rel="prev"', '/api/todos')).toBeNull();
    expect(nextLink('garbage', '/api/todos')).toBeNull();
  });

  it('never follows a link off this server or to another path: the token goes with every call', () => {
    expect(nextLink('<https://evil.example/api/todos?cursor=x>; rel="next"', '/api/todos')).toBeNull();
    expect(nextLink('<//evil.example/api/todos>; rel="next"', '/api/todos')).toBeNull();
    expect(nextLink('</api/todosX?cursor=x>; rel="next"', '/api/todos')).toBeNull();
    expect(nextLink('</api/session>; rel="next"', '/api/todos')).toBeNull();
  });
});
