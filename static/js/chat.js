// Room chat: the lines of one room and a field to send one.
import { h, toastError } from './ui.js';

export function chatBox(client, room) {
  const list = h('ol', { class: 'chat-lines', 'aria-live': 'polite', 'aria-label': 'Chat messages' });
  const input = h('input', { name: 'text', maxlength: 300, autocomplete: 'off', placeholder: 'Say something…', 'aria-label': 'Chat message' });
  const form = h('form', { class: 'chat-form', onsubmit: (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    try {
      client.send('chat.send', { room, text });
      input.value = '';
    } catch (err) {
      toastError(err);
    }
  } }, input, h('button', { type: 'submit' }, 'Send'));
  const el = h('section', { class: 'panel chat', 'aria-label': 'Chat' }, h('h3', {}, 'Chat'), list, form);
  const off = client.on('chat.message', (d, f) => {
    if (f.room !== room) return;
    const at = new Date(d.at);
    list.append(h('li', {}, h('time', { datetime: d.at }, at.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' })), ' ',
      h('strong', {}, d.from), ': ', d.text));
    while (list.children.length > 100) list.firstChild.remove();
    list.scrollTop = list.scrollHeight;
  });
  return { el, dispose: off };
}
