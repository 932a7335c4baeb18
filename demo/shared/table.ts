// A table whose caption wraps at the page width while the table itself scrolls sideways in
// its own focusable region (a wide table never widens the page on a phone).

let count = 0;

/** A caption, then the table (header row, body rows of strings) in a scrolling region. */
export function tableBlock(caption: string, header: string[], rows: string[][]): HTMLElement {
  const id = `table-caption-${++count}`;
  const block = document.createElement('div');
  block.className = 'table-block';
  const cap = document.createElement('p');
  cap.className = 'table-caption';
  cap.id = id;
  cap.textContent = caption;
  const wrap = document.createElement('div');
  wrap.className = 'table-wrap';
  wrap.tabIndex = 0; // it may scroll: it must take the keyboard focus
  wrap.setAttribute('role', 'region');
  wrap.setAttribute('aria-labelledby', id);
  const table = document.createElement('table');
  table.setAttribute('aria-labelledby', id);
  const head = table.createTHead().insertRow();
  for (const h of header) head.append(Object.assign(document.createElement('th'), { textContent: h, scope: 'col' }));
  const body = table.createTBody();
  for (const r of rows) {
    const tr = body.insertRow();
    for (const c of r) tr.insertCell().textContent = c;
  }
  wrap.append(table);
  block.append(cap, wrap);
  return block;
}
