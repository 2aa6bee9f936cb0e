// Provable fairness: the active seed pair's hash, setting the client seed,
// rotating (which reveals the server seed) and verifying a past round.
import { h, fill, explain, toast } from './ui.js';
import { api } from './api.js';
import { verify } from './history.js';

export function mount(view) {
  const active = h('dl', { class: 'facts', id: 'fair-active' }, 'Loading…');
  const revealed = h('div', { class: 'revealed', id: 'fair-revealed', 'aria-live': 'polite' });
  const verifyOut = h('div', { class: 'verify', id: 'fair-verify-out', 'aria-live': 'polite' });
  const seedForm = h('form', { class: 'inline', id: 'fair-seed', onsubmit: async (e) => {
    e.preventDefault();
    const seed = new FormData(e.currentTarget).get('client_seed');
    try {
      show(await api('POST', '/api/fair/client-seed', { client_seed: seed }));
      toast('Client seed set; the old server seed is revealed below.');
    } catch (err) { fill(revealed, h('p', { class: 'error' }, explain(err))); }
  } }, h('label', {}, 'Client seed ', h('input', { name: 'client_seed', required: true, maxlength: 64, pattern: '[ -~]{1,64}' })), h('button', { type: 'submit' }, 'Set client seed'));
  const rotateBtn = h('button', { type: 'button', id: 'fair-rotate', onclick: async () => {
    try { show(await api('POST', '/api/fair/rotate')); } catch (err) { fill(revealed, h('p', { class: 'error' }, explain(err))); }
  } }, 'Rotate server seed');
  const verifyForm = h('form', { class: 'inline', onsubmit: (e) => { e.preventDefault(); verify(new FormData(e.currentTarget).get('round').trim(), verifyOut); } },
    h('label', {}, 'Round id ', h('input', { name: 'round', required: true })), h('button', { type: 'submit' }, 'Verify'));

  view.append(h('section', { class: 'panel fair', 'aria-labelledby': 'fair-h' },
    h('h2', { id: 'fair-h' }, 'Provably fair'),
    h('p', {}, 'Your slot spins are drawn from HMAC-SHA256(server seed, client seed:nonce). You see the server seed\'s hash before you play; rotating reveals the seed, so every past spin can be checked. Roulette rounds reveal their seed in the round record, crash rounds come from a published hash chain, and each blackjack shoe is revealed when it is retired.'),
    h('h3', {}, 'Active seed pair'), active, seedForm, rotateBtn, revealed,
    h('h3', {}, 'Verify a round'), h('p', { class: 'hint' }, 'Slot rounds can be verified once their seed is rotated. Round ids are in your history.'), verifyForm, verifyOut));

  function pair(p, revealed) {
    return [h('dt', {}, 'Server seed hash'), h('dd', {}, h('code', { class: 'hash' }, p.server_seed_hash)),
      h('dt', {}, 'Client seed'), h('dd', {}, h('code', {}, p.client_seed)),
      h('dt', {}, revealed ? 'Nonces used' : 'Next nonce'), h('dd', {}, p.nonce)];
  }
  function show(d) {
    fill(active, pair(d.active));
    fill(revealed, h('h3', {}, 'Revealed pair'), h('dl', { class: 'facts' }, pair(d.revealed, true),
      h('dt', {}, 'Server seed'), h('dd', {}, h('code', { class: 'hash', id: 'fair-revealed-seed' }, d.revealed.server_seed))));
  }
  api('GET', '/api/fair').then((p) => fill(active, pair(p))).catch((err) => fill(active, h('p', { class: 'error' }, explain(err))));
  return null;
}
