// Niceties only: every form works without this script (the server checks everything again).
// Live feedback on new-password forms: length reached, and both entries equal.
document.querySelectorAll('form[data-password-form]').forEach((form) => {
  const min = Number(form.getAttribute('data-min-length') || '15');
  // Texts come from the locale file through data attributes: nothing to translate here.
  const lengthText = form.getAttribute('data-hint-length') || '{length} / {min}';
  const differText = form.getAttribute('data-hint-differ') || '≠';
  const password = form.querySelector('input[name="password"]');
  const confirm = form.querySelector('input[name="confirm"]');
  if (!password || !confirm) return;
  const hint = document.createElement('p');
  hint.className = 'hint';
  hint.setAttribute('aria-live', 'polite');
  confirm.insertAdjacentElement('afterend', hint);
  const update = () => {
    const length = [...password.value.normalize('NFKC')].length;
    if (length === 0) {
      hint.textContent = '';
      return;
    }
    const longEnough = length >= min;
    const same = confirm.value === '' || confirm.value === password.value;
    const counted = lengthText.replace('{length}', String(length)).replace('{min}', String(min));
    hint.textContent = `${longEnough ? '✓' : '✗'} ${counted}${same ? '' : ` · ${differText}`}`;
    hint.className = `hint ${longEnough && same ? 'ok' : 'bad'}`;
  };
  password.addEventListener('input', update);
  confirm.addEventListener('input', update);
});

// Live password checklist: the server's policy, asked while the user types (debounced). The
// list is rendered by the server, so without this script it still shows every rule.
document.querySelectorAll('ul[data-checklist]').forEach((list) => {
  const form = list.closest('form') || document.querySelector('form[data-password-form]');
  const password = form?.querySelector('input[name="password"]');
  const csrf = form?.querySelector('input[name="_csrf"]');
  if (!form || !password || !csrf) return;
  const login = form.querySelector('input[name="login"]');
  let timer = 0;
  let sequence = 0;
  const update = async () => {
    const mine = ++sequence;
    const body = new URLSearchParams({
      password: password.value,
      _csrf: csrf.value,
      area: list.getAttribute('data-area') || 'reset',
      login: login ? login.value : '',
    });
    try {
      const response = await fetch('/password/checklist', {
        method: 'POST',
        body,
        credentials: 'same-origin',
      });
      if (!response.ok || mine !== sequence) return;
      const { checklist } = await response.json();
      for (const item of checklist) {
        const li = list.querySelector(`li[data-rule="${item.rule}"]`);
        if (!li) continue;
        li.classList.toggle('met', item.isMet && password.value !== '');
        li.classList.toggle('unmet', !item.isMet && password.value !== '');
      }
    } catch {
      // The server checks again on submit: a failed hint is only a missing nicety.
    }
  };
  password.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(update, 250);
  });
});
