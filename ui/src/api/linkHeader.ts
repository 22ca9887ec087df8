/**
 * Reads the `next` link of a paged answer: `Link: </api/todos?limit=100&cursor=C>; rel="next"`
 * (RFC 8288). Only a path on this server under `prefix` is followed, never another origin: every
 * call carries the session token.
 */
export function nextLink(header: string | null | undefined, prefix: string): string | null {
  if (!header) return null;
  for (const link of header.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>(.*)$/.exec(link);
    if (!match) continue;
    const [, target = '', params = ''] = match;
    const rels = params
      .split(';')
      .map((p) => /^\s*rel\s*=\s*"?([^"]*)"?\s*$/i.exec(p)?.[1])
      .filter((r): r is string => r !== undefined)
      .flatMap((r) => r.toLowerCase().split(/\s+/));
    if (!rels.includes('next')) continue;
    const samePath = target.startsWith(prefix) && (target.length === prefix.length || target[prefix.length] === '?');
    return samePath ? target : null;
  }
  return null;
}
