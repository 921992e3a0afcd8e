"""Read-aloud in the browser, one script for the step card, the resident page and the counter.

The browser's own Vietnamese voice is used when it has one (most phones do), a little slower
than usual; otherwise the text goes to POST /nghe, where espeak-ng makes audio on the server
(assistant.speech). What is read: the answer's summary and numbered steps, not the citations.
"""

from __future__ import annotations

import json

SCRIPT = r"""
(() => {
  let audio = null;
  const viVoice = () => (window.speechSynthesis ? window.speechSynthesis.getVoices() : [])
    .find(v => (v.lang || '').toLowerCase().replace('_', '-').startsWith('vi'));
  const stop = () => {
    if (window.speechSynthesis) window.speechSynthesis.cancel();
    if (audio) { audio.pause(); audio = null; }
  };
  const say = (parts) => {
    stop();
    parts = parts.filter(p => p && p.trim());
    if (!parts.length) return;
    const voice = viVoice();
    if (voice) {
      for (const part of parts) {
        const u = new SpeechSynthesisUtterance(part);
        u.voice = voice; u.lang = 'vi-VN'; u.rate = 0.85;
        window.speechSynthesis.speak(u);
      }
      document.body.dataset.reading = 'voice';
      return;
    }
    fetch('/nghe', {method: 'POST', headers: {'Content-Type': 'application/json'},
                    body: JSON.stringify({text: parts.join('\n')})})
      .then(r => { if (!r.ok) throw new Error(r.status); return r.blob(); })
      .then(blob => {
        audio = new Audio(URL.createObjectURL(blob));
        window.lastAudio = audio;
        document.body.dataset.reading = 'server';
        return audio.play();
      })
      .catch(() => { document.body.dataset.reading = 'failed'; });
  };
  const pause = () => {
    if (audio) { audio.paused ? audio.play() : audio.pause(); return; }
    const s = window.speechSynthesis;
    if (s) { s.paused ? s.resume() : s.pause(); }
  };
  // The parts of an answer shown on a page: its text without citations, sources or links, each
  // item of a numbered list read as "Bước n. …".
  const partsOf = (element) => {
    if (!element) return [];
    const copy = element.cloneNode(true);
    copy.querySelectorAll('details, sup, a, button').forEach(node => node.remove());
    copy.querySelectorAll('ol').forEach(list => {
      const start = parseInt(list.getAttribute('start') || '1', 10);
      list.querySelectorAll(':scope > li').forEach((item, i) => {
        item.textContent = 'Bước ' + (start + i) + '. ' + item.textContent.trim();
      });
    });
    const holder = document.createElement('div');
    holder.style.cssText = 'position:absolute;left:-9999px;white-space:pre-wrap';
    holder.appendChild(copy);
    document.body.appendChild(holder);
    const text = (copy.innerText || copy.textContent || '').split(/Nguồn trích dẫn/)[0];
    holder.remove();
    return text.split('\n')
      .map(line => line.replace(/\[\d+\]/g, '').replace(/^\s*[-•]\s*/, '').trim())
      .filter(line => line && !/^(Các bước|Lưu ý|Xem thêm)\s*:?$/.test(line))
      .map(line => line.replace(/^(\d{1,2})[.)]\s+/, 'Bước $1. '));
  };
  // A re-read button on each numbered step of the answers on the resident and counter pages.
  // Gradio re-renders answers as they stream, so an observer puts the buttons back on new lists.
  const STEP_LISTS = '#chat .message-row.bot-row ol, #counter-answer ol';
  const stepText = (item) => {
    const copy = item.cloneNode(true);
    copy.querySelectorAll('sup, button').forEach(node => node.remove());
    return (copy.textContent || '').replace(/\[\d+\]/g, '').trim();
  };
  const addStepButtons = () => {
    document.querySelectorAll(STEP_LISTS).forEach(list => {
      const start = parseInt(list.getAttribute('start') || '1', 10);
      list.querySelectorAll(':scope > li').forEach((item, i) => {
        if (item.querySelector(':scope > .ts-step-say')) return;
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'ts-step-say';
        button.textContent = '🔊';
        button.title = 'Đọc lại bước ' + (start + i);
        button.setAttribute('aria-label', button.title);
        button.addEventListener('click', (event) => {
          event.preventDefault();
          event.stopPropagation();
          say(['Bước ' + (start + i) + '. ' + stepText(item)]);
        });
        item.appendChild(button);
      });
    });
  };
  let queued = false;
  const watch = () => new MutationObserver(() => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => { queued = false; addStepButtons(); });
  }).observe(document.body, {childList: true, subtree: true});
  if (document.body) watch(); else document.addEventListener('DOMContentLoaded', watch);
  window.tsSay = say;
  window.tsPause = pause;
  window.tsStop = stop;
  window.tsReadLast = (selector) => {
    const all = document.querySelectorAll(selector);
    say(partsOf(all[all.length - 1]));
  };
})();
"""


def head() -> str:
    """A <script> for a page's <head> defining tsSay, tsPause, tsStop and tsReadLast(selector)."""
    return f"<script>{SCRIPT}</script>"


def parts_script(parts: list[str]) -> str:
    """`const PARTS = [...]` with the parts as JSON; "</" is broken up so no text can close the script."""
    return "const PARTS = " + json.dumps(parts, ensure_ascii=False).replace("</", "<\\/") + ";"
