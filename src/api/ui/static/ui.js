// hma-stream UI: small progressive enhancements. Every page works without this file;
// it adds auto-submitting selects, image previews, seeding progress and the live
// results stream. State-changing requests made from here all go through send().
'use strict';

/** The one place this script changes server state: it carries the login's CSRF token (layout's meta tag). */
function send(url, options) {
  const meta = document.querySelector('meta[name="csrf-token"]');
  const headers = Object.assign({}, (options && options.headers) || {}, meta ? { 'x-csrf-token': meta.content } : {});
  return fetch(url, Object.assign({ method: 'POST', credentials: 'same-origin' }, options || {}, { headers }));
}

function el(tag, attrs, children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v);
  }
  for (const c of children || []) node.append(c);
  return node;
}

// A select that changes what the page shows (e.g. the exchange API type) reloads it.
for (const select of document.querySelectorAll('select[data-autosubmit]')) {
  select.addEventListener('change', () => select.form.requestSubmit());
}

// Image previews for file inputs (match debugger).
for (const input of document.querySelectorAll('input[type=file][data-preview]')) {
  input.addEventListener('change', () => {
    const img = document.getElementById(input.dataset.preview);
    const file = input.files && input.files[0];
    if (!img || !file) return;
    const reader = new FileReader();
    reader.onload = () => {
      img.src = String(reader.result);
      img.hidden = false;
    };
    reader.readAsDataURL(file);
  });
}

// Seed Banks: start in the background and show progress instead of a long page load.
function watchSeeding(progress, label) {
  const poll = async () => {
    const res = await fetch('/dev/seed_banks', { headers: { accept: 'application/json' } });
    if (!res.ok) return;
    const s = await res.json();
    if (typeof s.done === 'number') {
      progress.max = s.total;
      progress.value = s.done;
      label.textContent = `${s.done.toLocaleString('en-US')} / ${s.total.toLocaleString('en-US')} signals`;
    }
    if (s.state === 'running') setTimeout(() => void poll(), 400);
    else window.location.reload();
  };
  void poll();
}

for (const form of document.querySelectorAll('form[data-seed]')) {
  const progress = form.querySelector('progress');
  const label = form.querySelector('[data-seed-label]');
  if (form.dataset.seed === 'running') watchSeeding(progress, label);
  const seed = async () => {
    const button = form.querySelector('button');
    button.disabled = true;
    progress.hidden = false;
    const res = await send(`${form.action}?background=true`);
    if (res.status === 202) watchSeeding(progress, label);
    else window.location.reload();
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void seed();
  });
}

// Live results: server-sent events appended to the table, newest first.
const live = document.getElementById('live-results');
if (live && window.EventSource) {
  const body = live.querySelector('tbody');
  const status = document.getElementById('live-status');
  const empty = document.getElementById('live-empty');
  const source = new EventSource(live.dataset.stream);
  source.addEventListener('open', () => {
    status.textContent = 'live';
    status.className = 'badge ok';
  });
  source.addEventListener('error', () => {
    status.textContent = 'reconnecting…';
    status.className = 'badge warn';
  });
  source.addEventListener('result', (event) => {
    const r = JSON.parse(event.data);
    if (empty) empty.hidden = true;
    const suppressed = (r.suppressed || []).map((x) =>
      el('span', { class: 'sig muted', 'data-suppressed': '', text: `${x.bank_name} #${x.bank_content_id} suppressed by allow-list ${x.allow_list_bank_name} #${x.allow_list_content_id}` }));
    const matches = el('td', {}, r.matches.length || suppressed.length
      ? [...r.matches.map((m) => el('span', { class: 'sig', text: `${m.bank_name} #${m.bank_content_id} (${m.signal_type}, distance ${m.distance}${m.quarantined ? ', quarantined' : ''}${m.source ? `, via ${m.source}` : ''})` })), ...suppressed]
      : [el('span', { class: 'muted', text: 'no match' })]);
    const row = el('tr', { 'data-seq': String(r.seq) }, [
      el('td', { class: 'small', text: new Date(r.matched_at).toISOString().slice(11, 19) }),
      el('td', {}, [el('code', { text: r.content_id })]),
      el('td', { text: r.content_type }),
      el('td', {}, [el('span', { class: r.matched ? 'badge err' : 'badge ok', text: r.matched ? (r.retroactive ? 'retroactive match' : 'match') : 'no match' })]),
      matches,
      el('td', { class: 'num', text: `${Math.max(0, r.matched_at - r.submitted_at)} ms` }),
    ]);
    body.prepend(row);
    while (body.rows.length > 200) body.deleteRow(-1);
  });
}
