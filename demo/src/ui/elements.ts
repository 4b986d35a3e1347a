/**
 * The one way the demo builds DOM: elements with attributes and text children. Text goes in as
 * text nodes (never parsed as HTML), so passage text, titles and file names — all untrusted — can
 * only ever show as text. There is no innerHTML anywhere in the demo.
 */
export type Child = Node | string | number | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number | boolean | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (name.startsWith('on')) throw new Error(`h(): event attributes such as ${name} are not allowed; use addEventListener`);
    el.setAttribute(name, value === true ? '' : String(value));
  }
  el.append(...children.flatMap((c) => (c === null || c === undefined || c === false ? [] : [typeof c === 'number' ? String(c) : c])));
  return el;
}

/** The element with this id, of the expected type; a missing one is a bug in index.html. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`index.html has no #${id}`);
  return el as T;
}
