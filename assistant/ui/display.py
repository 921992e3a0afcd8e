"""Display choices a reader makes on a page: font size and high contrast.

The resident page remembers them in the browser (a resident's own phone); the counter page offers
high contrast too but keeps nothing, since its computer is shared. The look itself is CSS in
assistant/ui/app.py (`--ts-size`, `body.ts-contrast`).
"""

from __future__ import annotations

SIZES = (14, 30, 18)  # smallest, largest, default (px)


def font_js(remember: bool) -> str:
    save = "try { localStorage.setItem('ts-font-size', String(size)); } catch (e) {}" if remember else ""
    return f"""(size) => {{
  document.documentElement.style.setProperty('--ts-size', size + 'px');
  {save}
  return size;
}}"""


def contrast_js(remember: bool) -> str:
    save = "try { localStorage.setItem('ts-contrast', on ? '1' : ''); } catch (e) {}" if remember else ""
    return f"""(on) => {{
  document.body.classList.toggle('ts-contrast', !!on);
  {save}
  return on;
}}"""


# On opening the resident page: the saved choices, for the slider and the checkbox (whose change
# handlers then apply them).
SAVED_JS = f"""() => {{
  let size = {SIZES[2]}, on = false;
  try {{
    size = parseInt(localStorage.getItem('ts-font-size') || '{SIZES[2]}', 10);
    on = localStorage.getItem('ts-contrast') === '1';
  }} catch (e) {{}}
  return [size >= {SIZES[0]} && size <= {SIZES[1]} ? size : {SIZES[2]}, on];
}}"""
